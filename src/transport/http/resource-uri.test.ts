import { describe, expect, it } from 'vitest'
import { resourceUri } from './resource-uri.js'

/** PRM-3 and TOK-4: the published resource and the checked audience come from one function. */
describe('resourceUri', () => {
  const base = { port: 8787, tls: false, mcpPath: '/mcp' }

  it.each([
    ['a loopback address', '127.0.0.1', 'http://127.0.0.1:8787/mcp'],
    ['a host name stays the name clients type', 'localhost', 'http://localhost:8787/mcp'],
    ['an IPv6 address is bracketed', '::1', 'http://[::1]:8787/mcp'],
    [
      'a wildcard falls back to loopback (config demands public_url there)',
      '0.0.0.0',
      'http://127.0.0.1:8787/mcp',
    ],
  ])('%s', (_name, host, expected) => {
    expect(resourceUri({ ...base, host }).href).toBe(expected)
  })

  it('uses https with TLS and drops the default port', () => {
    expect(resourceUri({ ...base, host: 'mcp.example.com', port: 443, tls: true }).href).toBe(
      'https://mcp.example.com/mcp',
    )
  })

  it('public_url wins, and the path is joined and canonical', () => {
    const publicUrl = new URL('HTTPS://MCP.Example.com:443/')
    expect(resourceUri({ ...base, host: '0.0.0.0', publicUrl, mcpPath: '/api/mcp' }).href).toBe(
      'https://mcp.example.com/api/mcp',
    )
  })
})
