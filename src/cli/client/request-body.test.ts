import { describe, expect, it } from 'vitest'
import { resourceCovers } from './server-url.js'
import { bufferRequest, operationOf } from './request-body.js'

describe('bufferRequest', () => {
  it('reads a stream body once into bytes that can be sent again', async () => {
    const stream = new Response('{"jsonrpc":"2.0","id":1,"method":"tools/list"}').body
    const request = await bufferRequest('https://h/mcp', { method: 'POST', body: stream })
    expect(request.init.body).toBeInstanceOf(Uint8Array)
    expect(operationOf(request)).toBe('tools/list')
    expect(await new Response(request.init.body).text()).toContain('tools/list')
    expect(await new Response(request.init.body).text()).toContain('tools/list')
  })

  it('takes a Request apart (method, headers, body)', async () => {
    const input = new Request('https://h/mcp', {
      method: 'POST',
      headers: { 'x-a': '1' },
      body: '{"method":"tools/call","params":{"name":"add_task"}}',
    })
    const request = await bufferRequest(input)
    expect(request.url).toBe('https://h/mcp')
    expect(new Headers(request.init.headers).get('x-a')).toBe('1')
    expect(operationOf(request)).toBe('tools/call add_task')
  })

  it('names a GET by method and path', async () => {
    expect(operationOf(await bufferRequest(new URL('https://h/mcp'), { method: 'GET' }))).toBe(
      'GET /mcp',
    )
  })
})

describe('resourceCovers', () => {
  it('accepts the URL itself, the origin and path prefixes at a segment boundary', () => {
    expect(resourceCovers('https://h/mcp', 'https://h/mcp')).toBe(true)
    expect(resourceCovers('https://h', 'https://h/mcp')).toBe(true)
    expect(resourceCovers('https://h/a', 'https://h/a/mcp')).toBe(true)
    expect(resourceCovers('https://h/a', 'https://h/ab/mcp')).toBe(false)
    expect(resourceCovers('https://h/mcp', 'https://other/mcp')).toBe(false)
    expect(resourceCovers('http://h/mcp', 'https://h/mcp')).toBe(false)
  })
})
