/**
 * `tools/call` through the shared client path. On a 2026-07-28 connection the SDK mirrors the
 * tool's `x-mcp-header` parameters into `Mcp-Param-*` request headers (SEP-2243: Base64 for
 * values that are not plain visible ASCII, nothing for null or absent ones) when it knows the
 * tool's definition; `callTool` makes sure it does, from `tools/list` (the SDK's response cache,
 * which has already excluded tools whose `x-mcp-header` declarations are invalid), so a one-shot
 * `mcp-pa call` sends them too. An `input_required` result (SEP-2322) is fulfilled by the SDK
 * with the connection's elicitation handler and retried with `requestState` echoed verbatim.
 */
import type { CallToolResult, Client, Tool } from '@modelcontextprotocol/client'

type ToolClient = Pick<Client, 'callTool' | 'listTools' | 'getProtocolEra'>

/** The tool's definition from tools/list, on a 2026-07-28 connection (undefined otherwise). */
export async function toolDefinition(client: ToolClient, name: string): Promise<Tool | undefined> {
  if (client.getProtocolEra() !== 'modern') return undefined
  const { tools } = await client.listTools()
  return tools.find((tool) => tool.name === name)
}

/** Calls a tool, with its definition when known (SEP-2243 `Mcp-Param-*` headers). */
export async function callTool(
  client: ToolClient,
  name: string,
  args: Record<string, unknown>,
  definition?: Tool,
): Promise<CallToolResult> {
  const known = definition ?? (await toolDefinition(client, name))
  return (await client.callTool(
    { name, arguments: args },
    known === undefined ? undefined : { toolDefinition: known },
  )) as CallToolResult
}
