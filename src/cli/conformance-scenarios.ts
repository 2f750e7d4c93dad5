/**
 * What `mcp-pa conformance` does after tools/list, per MCP_CONFORMANCE_SCENARIO: which tools it
 * calls and with which arguments. Only the scenario's script lives here (what its mock server
 * asks the client to exercise); the protocol behaviour under test — SEP-2243 `Mcp-Param-*`
 * headers, SEP-2322 `input_required` rounds with `requestState` echoed — is the shared client
 * path's (./client/tool-call.ts, ./client/connection.ts), as `mcp-pa call` uses it.
 */
import type { Tool } from '@modelcontextprotocol/client'

export interface PlannedCall {
  name: string
  arguments: Record<string, unknown>
}

export interface ScenarioPlan {
  calls: PlannedCall[]
  /** Run the calls at the same time (the SEP-2322 isolation check wants them interleaved). */
  parallel: boolean
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value)

/** The context's `toolCalls` (http-custom-headers lists the calls and arguments it expects). */
function contextCalls(context: Record<string, unknown>): PlannedCall[] | undefined {
  const { toolCalls } = context
  if (!Array.isArray(toolCalls)) return undefined
  return toolCalls.flatMap((call: unknown) =>
    isObject(call) && typeof call.name === 'string'
      ? [{ name: call.name, arguments: isObject(call.arguments) ? call.arguments : {} }]
      : [],
  )
}

/** The calls a scenario makes once the client has listed `tools`. */
export function scenarioPlan(
  scenario: string,
  tools: Tool[],
  context: Record<string, unknown>,
): ScenarioPlan {
  const listed = (name: string) => tools.find((tool) => tool.name === name)
  const fromContext = contextCalls(context)
  if (fromContext !== undefined) return { calls: fromContext, parallel: false }
  switch (scenario) {
    case 'tools_call':
      // "add_numbers" with two numbers; the check reads both arguments back.
      return { calls: [{ name: 'add_numbers', arguments: { a: 2, b: 3 } }], parallel: false }
    case 'json-schema-2020-12-preservation': {
      // Echo the focal tool's inputSchema as this client holds it after parsing tools/list.
      const focal = listed('json_schema_2020_12_tool')
      if (focal === undefined) return { calls: [], parallel: false }
      const call = { name: 'json_schema_echo', arguments: { schema: focal.inputSchema } }
      return { calls: [call], parallel: false }
    }
    case 'json-schema-ref-no-deref':
      // Only tools/list is under test (no network $ref fetched); its mock has no tools/call.
      return { calls: [], parallel: false }
    case 'sep-2322-client-request-state':
      // Every MRTR tool, concurrently: state of one flow must not leak into another call.
      return {
        calls: tools.map((tool) => ({ name: tool.name, arguments: {} })),
        parallel: true,
      }
    default: {
      const tool = listed('test-tool') ?? tools[0]
      return {
        calls: tool === undefined ? [] : [{ name: tool.name, arguments: {} }],
        parallel: false,
      }
    }
  }
}
