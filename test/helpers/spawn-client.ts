import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { Client, type CallToolResult } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'

/** The built CLI: e2e tests exercise what users run, so `npm test` builds first. */
export const CLI = resolve(import.meta.dirname, '../../dist/cli/main.js')

export type Era = 'modern' | 'legacy'

export interface SpawnedClient {
  client: Client
  stderr: () => string
  close(): Promise<void>
}

/** A temporary HOME, removed by `cleanup`. */
export async function tempHome(): Promise<{ home: string; cleanup: () => Promise<void> }> {
  const home = await mkdtemp(join(tmpdir(), 'mcp-pa-e2e-'))
  return { home, cleanup: () => rm(home, { recursive: true, force: true }) }
}

/**
 * Spawns `node dist/cli/main.js serve` with the given HOME and environment and connects the
 * SDK v2 client over stdio, negotiating the 2026-07-28 protocol (`modern`) or the 2025-era
 * `initialize` handshake (`legacy`).
 */
export async function spawnClient(options: {
  home: string
  env?: Record<string, string>
  era?: Era
  args?: string[]
}): Promise<SpawnedClient> {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [CLI, 'serve', ...(options.args ?? [])],
    env: {
      PATH: process.env.PATH ?? '',
      HOME: options.home,
      MCP_LOG_LEVEL: 'info',
      ...options.env,
    },
    stderr: 'pipe',
  })
  let stderr = ''
  transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
  const client = new Client(
    { name: 'mcp-pa-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: options.era === 'legacy' ? 'legacy' : 'auto' } },
  )
  await client.connect(transport)
  return { client, stderr: () => stderr, close: () => client.close() }
}

/** Calls a tool and returns its result with structured content typed loosely for assertions. */
export async function call(
  client: Client,
  name: string,
  args: Record<string, unknown>,
): Promise<CallToolResult & { structuredContent?: Record<string, any> }> {
  return (await client.callTool({ name, arguments: args })) as CallToolResult & {
    structuredContent?: Record<string, any>
  }
}

/** The text of a tool result's first content block. */
export function textOf(result: CallToolResult): string {
  const block = result.content[0]
  return block !== undefined && block.type === 'text' ? block.text : ''
}
