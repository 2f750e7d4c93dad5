import { describe, expect, it } from 'vitest'
import { check, server } from '../test-support.js'
import { plainHttp } from './plain-http.js'

describe('plain-http-url', () => {
  it.each<[string, unknown, number]>([
    ['remote http url', server({ url: 'http://mcp.example.com/mcp' }), 1],
    ['serverUrl (Windsurf)', server({ serverUrl: 'http://10.0.0.5:8080/mcp' }), 1],
    [
      'http URL in args (mcp-remote)',
      server({ command: 'npx', args: ['mcp-remote@1.0.0', 'http://h.example/sse'] }),
      1,
    ],
    ['https url', server({ url: 'https://mcp.example.com/mcp' }), 0],
    ['localhost', server({ url: 'http://localhost:3000/mcp' }), 0],
    ['127.0.0.1', server({ url: 'http://127.0.0.1:3000/mcp' }), 0],
    ['[::1]', server({ url: 'http://[::1]:3000/mcp' }), 0],
    ['ws scheme is not http', server({ url: 'wss://h.example/mcp' }), 0],
  ])('%s → %i finding(s)', (_name, config, count) => {
    const findings = check(plainHttp, config)
    expect(findings).toHaveLength(count)
    if (count) expect(findings[0]?.message).toMatch(/plain HTTP to /)
  })
})
