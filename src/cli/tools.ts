import type { Tool } from '@modelcontextprotocol/client'
import { parseFlags } from './args.js'
import { NETWORK_FLAGS, serverUrlArgument } from './client/options.js'
import { withClient } from './client/session.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** The scopes a tool says it needs (mcp-pa annotates `_meta["mcp-pa/scopes"]`). */
export function toolScopes(tool: Pick<Tool, '_meta'>): string[] | undefined {
  const scopes = tool._meta?.['mcp-pa/scopes']
  return Array.isArray(scopes) && scopes.every((s) => typeof s === 'string') ? scopes : undefined
}

/** Every tool of the server, following `nextCursor`. */
async function listAll(client: {
  listTools(params?: { cursor?: string }): Promise<{ tools: Tool[]; nextCursor?: string }>
}): Promise<Tool[]> {
  const tools: Tool[] = []
  let cursor: string | undefined
  for (let page = 0; page < 100; page++) {
    const result = await client.listTools(cursor === undefined ? undefined : { cursor })
    tools.push(...result.tools)
    cursor = result.nextCursor
    if (cursor === undefined || cursor === '') break
  }
  return tools
}

/**
 * `mcp-pa tools <url> [--json]`: the server's tools — name, description, the scopes each needs
 * when the server annotates them — with the stored token (refreshed when needed).
 */
export async function toolsCommand(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals } = parseFlags(
    'tools',
    argv,
    { ...NETWORK_FLAGS, json: { type: 'boolean' } },
    true,
  )
  if (values.help) {
    console.log(HELP.tools)
    return EXIT.ok
  }
  const serverUrl = serverUrlArgument('tools', positionals)
  const tools = await withClient(serverUrl, values, env, listAll)
  if (values.json) {
    const output = tools.map((tool) => {
      const scopes = toolScopes(tool)
      return {
        name: tool.name,
        ...(tool.title === undefined ? {} : { title: tool.title }),
        ...(tool.description === undefined ? {} : { description: tool.description }),
        ...(scopes === undefined ? {} : { scopes }),
        inputSchema: tool.inputSchema,
        ...(tool.annotations === undefined ? {} : { annotations: tool.annotations }),
      }
    })
    console.log(JSON.stringify(output, null, 2))
    return EXIT.ok
  }
  if (tools.length === 0) {
    console.log(`${serverUrl} offers no tools.`)
    return EXIT.ok
  }
  const width = Math.min(32, Math.max(...tools.map((t) => t.name.length)))
  for (const tool of tools) {
    const summary = (tool.description ?? tool.title ?? '').split('\n')[0]?.trim() ?? ''
    console.log(`${tool.name.padEnd(width)}  ${summary}`)
    const scopes = toolScopes(tool)
    if (scopes !== undefined && scopes.length > 0) {
      console.log(`${''.padEnd(width)}  scopes: ${scopes.join(', ')}`)
    }
  }
  return EXIT.ok
}
