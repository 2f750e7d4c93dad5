import { describe, expect, it } from 'vitest'
import { jsonRpcErrorResponse, readJsonRpcBody } from './body.js'

const limits = { maxBytes: 256, maxBatch: 3 }
const small = { maxBytes: 64, maxBatch: 3 }
const URL_ = 'http://127.0.0.1:8787/mcp'

function post(body: RequestInit['body'], headers: Record<string, string> = {}): Request {
  return new Request(URL_, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body,
    ...(body instanceof ReadableStream ? { duplex: 'half' } : {}),
  } as RequestInit)
}

/** A body without Content-Length, delivered in chunks, that records how much was pulled. */
function stream(chunks: Uint8Array[]) {
  let pulled = 0
  let cancelled = false
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        const chunk = chunks[pulled]
        if (chunk === undefined) return controller.close()
        pulled += 1
        controller.enqueue(chunk)
      },
      cancel() {
        cancelled = true
      },
    },
    { highWaterMark: 0 },
  )
  return { body, pulled: () => pulled, cancelled: () => cancelled }
}

const bytes = (text: string) => new TextEncoder().encode(text)
const ping = { jsonrpc: '2.0', id: 1, method: 'ping' }

describe('readJsonRpcBody: Content-Type (415)', () => {
  const refusal = { status: 415, code: -32600, message: 'Content-Type must be application/json' }

  it.each([
    ['missing', undefined],
    ['text/plain', 'text/plain'],
    ['form-encoded', 'application/x-www-form-urlencoded'],
    ['a look-alike', 'application/jsonp'],
    ['a suffix type', 'application/json-seq'],
    ['multipart', 'multipart/form-data; boundary=x'],
  ])('refuses a %s content type', async (_name, type) => {
    const request = new Request(URL_, {
      method: 'POST',
      body: JSON.stringify(ping),
      headers: type === undefined ? {} : { 'content-type': type },
    })
    if (type === undefined) request.headers.delete('content-type')
    expect(await readJsonRpcBody(request, limits)).toEqual(refusal)
  })

  it.each([
    ['application/json'],
    ['application/json; charset=utf-8'],
    ['Application/JSON;charset=UTF-8'],
    ['application/json ; charset=utf-8'],
  ])('accepts %s', async (type) => {
    const result = await readJsonRpcBody(
      post(JSON.stringify(ping), { 'content-type': type }),
      limits,
    )
    expect(result).toEqual({ value: ping, messages: [ping] })
  })
})

describe('readJsonRpcBody: size (413)', () => {
  const tooLarge = { status: 413, code: -32600, message: 'request body larger than 64 bytes' }

  it('refuses a declared Content-Length over the limit without reading the body', async () => {
    const body = stream([bytes('{}')])
    const request = post(body.body, { 'content-length': '65' })
    expect(await readJsonRpcBody(request, small)).toEqual(tooLarge)
    expect(body.pulled()).toBe(0)
  })

  it('refuses a streamed body without Content-Length once it passes the limit, and stops reading', async () => {
    const chunk = bytes(' '.repeat(40))
    const body = stream([chunk, chunk, chunk, chunk])
    expect(await readJsonRpcBody(post(body.body), small)).toEqual(tooLarge)
    expect(body.pulled()).toBe(2)
    expect(body.cancelled()).toBe(true)
  })

  it('refuses a body longer than the Content-Length it declared', async () => {
    const body = stream([bytes(' '.repeat(40)), bytes(' '.repeat(40))])
    const request = post(body.body, { 'content-length': '10' })
    expect(await readJsonRpcBody(request, small)).toEqual(tooLarge)
  })

  it('accepts a body of exactly the limit, read in several chunks', async () => {
    const text = JSON.stringify(ping).padEnd(64, ' ')
    const body = stream([bytes(text.slice(0, 10)), bytes(text.slice(10))])
    expect(await readJsonRpcBody(post(body.body), small)).toEqual({
      value: ping,
      messages: [ping],
    })
  })
})

describe('readJsonRpcBody: JSON and JSON-RPC shape', () => {
  const parseError = {
    status: 400,
    code: -32700,
    message: 'Parse error: the body is not valid UTF-8 JSON',
  }
  const invalid = (message: string) => ({ status: 400, code: -32600, message })

  it.each([
    ['empty body', null],
    ['not JSON', '{"jsonrpc":'],
    ['JavaScript, not JSON', "{ jsonrpc: '2.0' }"],
    ['invalid UTF-8 (lone continuation byte)', new Uint8Array([0x7b, 0x22, 0x80, 0x22, 0x7d])],
    ['invalid UTF-8 (overlong encoding)', new Uint8Array([0x22, 0xc0, 0xaf, 0x22])],
  ])('-32700 for %s', async (_name, body) => {
    expect(await readJsonRpcBody(post(body), limits)).toEqual(parseError)
  })

  it('accepts multi-byte UTF-8 split across chunks', async () => {
    const message = { ...ping, params: { note: 'é✓' } }
    const encoded = bytes(JSON.stringify(message))
    const cut = encoded.indexOf(0xc3) + 1
    const body = stream([encoded.subarray(0, cut), encoded.subarray(cut)])
    expect(await readJsonRpcBody(post(body.body), limits)).toEqual({
      value: message,
      messages: [message],
    })
  })

  it.each([
    ['an empty batch', '[]', invalid('Invalid Request: empty batch')],
    [
      'a batch over maxBatch',
      JSON.stringify([ping, ping, ping, ping]),
      invalid('Invalid Request: a batch may hold at most 3 messages'),
    ],
    ['a number', '42', invalid('Invalid Request: expected JSON-RPC messages')],
    ['a string', '"ping"', invalid('Invalid Request: expected JSON-RPC messages')],
    ['null', 'null', invalid('Invalid Request: expected JSON-RPC messages')],
    [
      'a batch with a non-object member',
      JSON.stringify([ping, 1]),
      invalid('Invalid Request: expected JSON-RPC messages'),
    ],
    [
      'a batch with a null member',
      JSON.stringify([ping, null]),
      invalid('Invalid Request: expected JSON-RPC messages'),
    ],
    [
      'a nested batch',
      JSON.stringify([[ping]]),
      invalid('Invalid Request: expected JSON-RPC messages'),
    ],
  ])('-32600 for %s', async (_name, body, expected) => {
    expect(await readJsonRpcBody(post(body), limits)).toEqual(expected)
  })

  it('returns one message, or a batch up to maxBatch, with the parsed value', async () => {
    const call = { jsonrpc: '2.0', id: 2, method: 'tools/call', params: { name: 'x' } }
    expect(await readJsonRpcBody(post(JSON.stringify(call)), limits)).toEqual({
      value: call,
      messages: [call],
    })
    const batch = [ping, call, { jsonrpc: '2.0', method: 'notifications/initialized' }]
    expect(await readJsonRpcBody(post(JSON.stringify(batch)), limits)).toEqual({
      value: batch,
      messages: batch,
    })
  })
})

describe('jsonRpcErrorResponse', () => {
  it('is a JSON-RPC error without id, never cached', async () => {
    const response = jsonRpcErrorResponse({ status: 413, code: -32600, message: 'too large' })
    expect(response.status).toBe(413)
    expect(response.headers.get('content-type')).toBe('application/json')
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32600, message: 'too large' },
    })
  })

  it('adds extra headers (rate limits) and lets them override the defaults', () => {
    const response = jsonRpcErrorResponse(
      { status: 429, code: -32000, message: 'slow down' },
      { 'Retry-After': '7', 'RateLimit-Remaining': '0' },
    )
    expect(response.headers.get('retry-after')).toBe('7')
    expect(response.headers.get('ratelimit-remaining')).toBe('0')
    expect(response.headers.get('cache-control')).toBe('no-store')
  })
})
