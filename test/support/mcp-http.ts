/**
 * A raw JSON-RPC `initialize` at an MCP endpoint with a bearer token: what the guard answers
 * (200, or 401/403 with its challenge), without an MCP client in the way.
 */
export function mcpInitialize(resource: string, accessToken: string): Promise<Response> {
  return fetch(resource, {
    method: 'POST',
    headers: {
      authorization: `Bearer ${accessToken}`,
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      'mcp-protocol-version': '2025-06-18',
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'mcp-pa-test', version: '1' },
      },
    }),
  })
}

/** The HTTP status of {@link mcpInitialize} (the body is discarded). */
export async function mcpStatus(resource: string, accessToken: string): Promise<number> {
  const response = await mcpInitialize(resource, accessToken)
  await response.body?.cancel()
  return response.status
}
