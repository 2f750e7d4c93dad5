import type { Tool } from '@modelcontextprotocol/client'
import { describe, expect, it, vi } from 'vitest'
import { callTool, toolDefinition } from './tool-call.js'

const tool: Tool = {
  name: 'search',
  inputSchema: {
    type: 'object',
    properties: { region: { type: 'string', 'x-mcp-header': 'Region' } },
  },
}

function fakeClient(era: 'legacy' | 'modern' | undefined) {
  return {
    getProtocolEra: vi.fn(() => era),
    listTools: vi.fn(() => Promise.resolve({ tools: [tool] })),
    callTool: vi.fn(() => Promise.resolve({ content: [] })),
  }
}

describe('callTool: the definition goes with the call on 2026-07-28 (SEP-2243 headers)', () => {
  it('looks the definition up in tools/list and passes it as toolDefinition', async () => {
    const client = fakeClient('modern')
    await callTool(client as never, 'search', { region: 'us-west1' })
    expect(client.listTools).toHaveBeenCalledOnce()
    expect(client.callTool).toHaveBeenCalledWith(
      { name: 'search', arguments: { region: 'us-west1' } },
      { toolDefinition: tool },
    )
  })

  it('uses a definition the caller already holds without listing', async () => {
    const client = fakeClient('modern')
    await callTool(client as never, 'search', {}, tool)
    expect(client.listTools).not.toHaveBeenCalled()
    expect(client.callTool).toHaveBeenCalledWith(
      { name: 'search', arguments: {} },
      { toolDefinition: tool },
    )
  })

  it('calls an unlisted tool without a definition (no headers)', async () => {
    const client = fakeClient('modern')
    await callTool(client as never, 'other', {})
    expect(client.callTool).toHaveBeenCalledWith({ name: 'other', arguments: {} }, undefined)
  })

  it('on a 2025 connection: no tools/list round trip, a plain call', async () => {
    const client = fakeClient('legacy')
    await expect(toolDefinition(client as never, 'search')).resolves.toBeUndefined()
    await callTool(client as never, 'search', {})
    expect(client.listTools).not.toHaveBeenCalled()
    expect(client.callTool).toHaveBeenCalledWith({ name: 'search', arguments: {} }, undefined)
  })
})
