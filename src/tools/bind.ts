import {
  McpServer,
  ProtocolError,
  ProtocolErrorCode,
  ResourceNotFoundError,
  ResourceTemplate,
  type ServerContext,
  type ReadResourceResult,
} from '@modelcontextprotocol/server'
import type { ToolContext } from './context.js'
import { hasScopes } from './context.js'
import { RESOURCE_SCOPES, TOOLS } from './registry.js'
import { runTool } from './run-tool.js'
import { memoryLine } from './text.js'
import { memoryToWire } from './schemas.js'

export interface AssistantServerOptions {
  version: string
  /**
   * Builds the caller's context for one request (local user in stdio, token subject in HTTP).
   * May be asynchronous: stdio answers `tools/list` while the database is still opening, and
   * the first tool call waits for it.
   */
  contextFor: (request: ServerContext) => ToolContext | Promise<ToolContext>
}

const INSTRUCTIONS =
  'mcp-pa is a personal assistant memory and to-do list. Use memory_save to remember facts the user shares, memory_search before answering questions about the user, and task_* tools to manage their tasks. Dates are ISO 8601.'

/** Builds an MCP server exposing every tool of the registry and memories as `memory://{id}`. */
export function createAssistantServer(options: AssistantServerOptions): McpServer {
  const server = new McpServer(
    { name: 'mcp-pa', title: 'mcp-pa personal assistant', version: options.version },
    {
      capabilities: { tools: {}, resources: {}, logging: {} },
      instructions: INSTRUCTIONS,
      maxToolInputElements: 1000,
    },
  )
  for (const tool of TOOLS) {
    server.registerTool(
      tool.name,
      {
        title: tool.title,
        description: tool.description,
        inputSchema: tool.input,
        outputSchema: tool.output,
        annotations: { title: tool.title, ...tool.annotations },
        _meta: { 'mcp-pa/scopes': [...tool.scopes] },
      },
      async (input: unknown, request: ServerContext) => {
        let ctx: ToolContext
        try {
          ctx = await options.contextFor(request)
        } catch {
          return {
            content: [
              {
                type: 'text',
                text: `${tool.name} is unavailable: the assistant's storage could not be opened (see the server log)`,
              },
            ],
            isError: true,
          }
        }
        return runTool(tool, ctx, input)
      },
    )
  }
  registerMemoryResources(server, options.contextFor)
  return server
}

function registerMemoryResources(
  server: McpServer,
  contextFor: AssistantServerOptions['contextFor'],
) {
  const template = new ResourceTemplate('memory://{id}', {
    list: async (request) => {
      const ctx = await contextFor(request)
      if (!hasScopes(ctx.scopes, RESOURCE_SCOPES)) return { resources: [] }
      const page = await ctx.memories.list(ctx.userId, { limit: 100 })
      return {
        resources: page.items.map((memory) => ({
          uri: `memory://${memory.id}`,
          name: memoryLine(memoryToWire(memory)).slice(2, 82),
          mimeType: 'text/plain',
        })),
      }
    },
  })
  server.registerResource(
    'memory',
    template,
    { title: 'Memory', description: 'One saved memory as plain text', mimeType: 'text/plain' },
    async (uri, variables, request): Promise<ReadResourceResult> => {
      const ctx = await contextFor(request)
      const id = String(variables.id ?? '')
      if (!hasScopes(ctx.scopes, RESOURCE_SCOPES)) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          'reading memories needs the scope memories:read',
        )
      }
      if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) {
        throw new ProtocolError(
          ProtocolErrorCode.InvalidParams,
          'memory:// URIs take the id of a memory, as listed by resources/list',
        )
      }
      let memory
      try {
        memory = await ctx.memories.get(ctx.userId, id)
      } catch {
        throw new ProtocolError(
          ProtocolErrorCode.InternalError,
          'reading the memory failed because of an internal error',
        )
      }
      if (memory === undefined) throw new ResourceNotFoundError(uri.href, `no memory with id ${id}`)
      return { contents: [{ uri: uri.href, mimeType: 'text/plain', text: memory.content }] }
    },
  )
}
