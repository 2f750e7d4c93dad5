import { afterEach, describe, expect, it } from 'vitest'
import {
  appHarness,
  HOST,
  initialize,
  PRM_URL,
  rpc,
  rpcResult,
  toolCall,
  type AppHarness,
} from './http-test-support.js'
import { createRateLimiters, rateLimitHeaders } from './rate-limit.js'

/** The MCP endpoint through the whole app: Host/Origin (T-1..T-3), CORS, body limits, rate limits. */

let h: AppHarness
afterEach(() => h?.close().catch(() => undefined))

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })
const APP_ORIGIN = 'https://app.example.com'

describe('Host and Origin (T-1, T-2, T-3)', () => {
  const refusedHost = 'Forbidden: unknown Host (add it to server.allowed_hosts if it is yours)'
  const refusedOrigin =
    'Forbidden: Origin not allowed (add it to server.allowed_origins if it is yours)'

  it.each([
    [
      'T-3: a foreign Host (DNS rebinding), no token',
      { host: 'evil.example' },
      'host',
      'evil.example',
      refusedHost,
    ],
    [
      'T-3: a foreign Host on our port',
      { host: 'evil.example:8787' },
      'host',
      'evil.example:8787',
      refusedHost,
    ],
    [
      'T-2: a foreign Origin',
      { origin: 'https://evil.example' },
      'origin',
      'https://evil.example',
      refusedOrigin,
    ],
    ['T-2: Origin null', { origin: 'null' }, 'origin', 'null', refusedOrigin],
  ])('%s → 403, audited, before the guard', async (_name, headers, header, value, message) => {
    h = await appHarness()
    const response = await h.post(initialize(), { ...bearer(await h.token([])), ...headers })
    expect(response.status).toBe(403)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
    expect(await response.json()).toEqual({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32000, message },
    })
    expect(h.audit.events).toEqual([{ type: 'http.origin_refused', header, value, ip: 'unknown' }])
  })

  it.each([
    ['no Origin (native client)', {}],
    ['its own origin', { origin: 'http://127.0.0.1:8787' }],
    ['a loopback name with the port', { host: 'localhost:8787', origin: 'http://localhost:8787' }],
  ])('accepts %s', async (_name, headers) => {
    h = await appHarness()
    const response = await h.post(initialize(), { ...bearer(await h.token([])), ...headers })
    expect(response.status).toBe(200)
  })

  it('accepts a configured allowed host', async () => {
    h = await appHarness({ allowedHosts: ['mcp.lan:8787'] })
    const response = await h.post(initialize(), {
      ...bearer(await h.token([])),
      host: 'mcp.lan:8787',
    })
    expect(response.status).toBe(200)
  })
})

describe('CORS on the MCP endpoint', () => {
  it('gives a configured browser origin CORS headers, also on a 401 so it can read the challenge', async () => {
    h = await appHarness({ allowedOrigins: [APP_ORIGIN] })
    const ok = await h.post(initialize(), { ...bearer(await h.token([])), origin: APP_ORIGIN })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(ok.headers.get('vary')).toContain('Origin')
    const refused = await h.post(initialize(), { origin: APP_ORIGIN })
    expect(refused.status).toBe(401)
    expect(refused.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(refused.headers.get('access-control-expose-headers')).toContain('WWW-Authenticate')
    expect(refused.headers.get('access-control-allow-credentials')).toBeNull()
  })

  it('answers an allowed preflight with 204', async () => {
    h = await appHarness({ allowedOrigins: [APP_ORIGIN] })
    const response = await h.request('/mcp', {
      method: 'OPTIONS',
      headers: {
        origin: APP_ORIGIN,
        'access-control-request-method': 'POST',
        'access-control-request-headers': 'authorization, content-type',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe(APP_ORIGIN)
    expect(response.headers.get('access-control-allow-methods')).toContain('POST')
    expect(response.headers.get('access-control-allow-headers')).toContain('Authorization')
  })

  it.each([
    ['a foreign origin', { origin: 'https://evil.example' }],
    ['the server origin (not a CORS origin)', { origin: 'http://127.0.0.1:8787' }],
    ['no origin', {}],
  ])('refuses a preflight from %s with 403 and no CORS headers', async (_name, headers) => {
    h = await appHarness({ allowedOrigins: [APP_ORIGIN] })
    const response = await h.request('/mcp', { method: 'OPTIONS', headers })
    expect(response.status).toBe(403)
    expect(response.headers.get('access-control-allow-origin')).toBeNull()
  })
})

describe('body limits through the app (authenticated)', () => {
  const envelope = (code: number) => ({
    jsonrpc: '2.0',
    id: null,
    error: { code, message: expect.any(String) },
  })

  it.each([
    ['415 for text/plain', initialize(), { 'content-type': 'text/plain' }, 415, -32600],
    ['413 over max_body_bytes', 'x'.repeat(70_000), {}, 413, -32600],
    ['413 by declared Content-Length', '{}', { 'content-length': '70000' }, 413, -32600],
    ['400 for a batch over max_batch', [1, 2, 3, 4, 5].map(() => rpc('ping')), {}, 400, -32600],
    ['400 for an empty batch', [], {}, 400, -32600],
    ['400 for invalid JSON', '{"jsonrpc":', {}, 400, -32700],
  ])('%s', async (_name, body, headers, status, code) => {
    h = await appHarness()
    const response = await h.post(body, { ...bearer(await h.token([])), ...headers })
    expect(response.status).toBe(status)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual(envelope(code))
  })
})

function limits(points: number) {
  const policy = { points, durationSeconds: 60 }
  const limiters = createRateLimiters({ mcp: policy, unauthenticated: policy })
  return {
    consumeMcp: (fingerprint: string) => limiters.consumeMcp(fingerprint),
    consumeIp: (ip: string) => limiters.consumeIp(ip),
    headers: rateLimitHeaders,
  }
}

describe('rate limits', () => {
  it('a token over its budget gets 429 with Retry-After and RateLimit-*; audited', async () => {
    h = await appHarness({ rateLimits: limits(2) })
    const token = await h.token([])
    const answers = []
    for (let i = 0; i < 3; i++) answers.push(await h.post(rpc('ping'), bearer(token)))
    expect(answers.map((r) => r.status)).toEqual([200, 200, 429])
    expect(answers.map((r) => r.headers.get('ratelimit-remaining'))).toEqual(['1', '0', '0'])
    const limited = answers[2]!
    expect(limited.headers.get('ratelimit-limit')).toBe('2')
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1)
    expect(Number(limited.headers.get('ratelimit-reset'))).toBeGreaterThanOrEqual(1)
    expect(limited.headers.get('cache-control')).toBe('no-store')
    expect((await limited.json()) as unknown).toMatchObject({ error: { code: -32000 } })
    expect(h.audit.events.filter((e) => e.type === 'http.rate_limited')).toEqual([
      {
        type: 'http.rate_limited',
        bucket: 'token',
        key: expect.stringMatching(/^sha256:[0-9a-f]+$/),
        route: '/mcp',
        retryAfterSeconds: expect.any(Number),
      },
    ])
    // Another token has its own budget.
    expect((await h.post(rpc('ping'), bearer(await h.token([], { sub: 'bob' })))).status).toBe(200)
  })

  it('refused tokens count against the client IP: 401, 401, then 429', async () => {
    h = await appHarness({ rateLimits: limits(2) })
    const statuses = []
    for (let i = 0; i < 3; i++)
      statuses.push((await h.postFrom('192.0.2.1', initialize(), bearer('bad'))).status)
    expect(statuses).toEqual([401, 401, 429])
    expect(h.audit.events.at(-1)).toMatchObject({
      type: 'http.rate_limited',
      bucket: 'ip',
      key: '192.0.2.1',
    })
    expect((await h.postFrom('192.0.2.2', initialize(), bearer('bad'))).status).toBe(401)
  })

  it.each([
    ['with trustProxy: on the last X-Forwarded-For entry', true, '198.51.100.7'],
    ['without trustProxy: on the socket address', false, '192.0.2.9'],
  ])('keys the IP bucket %s', async (_name, trustProxy, key) => {
    h = await appHarness({ rateLimits: limits(1), trustProxy })
    const spoofed = { ...bearer('bad'), 'x-forwarded-for': '203.0.113.66, 198.51.100.7' }
    await h.postFrom('192.0.2.9', initialize(), spoofed)
    await h.postFrom('192.0.2.9', initialize(), spoofed)
    expect(h.audit.events.at(-1)).toMatchObject({ type: 'http.rate_limited', bucket: 'ip', key })
  })

  it('the metadata document is limited per IP too', async () => {
    h = await appHarness({ rateLimits: limits(1) })
    const get = () =>
      h.app.fetch(new Request(PRM_URL, { headers: { host: HOST } }), {
        incoming: { socket: { remoteAddress: '192.0.2.3' } },
      })
    expect((await get()).status).toBe(200)
    const limited = await get()
    expect(limited.status).toBe(429)
    expect(limited.headers.get('retry-after')).not.toBeNull()
  })
})

describe('failures never leak a stack or a driver message', () => {
  const STACK_LINE = /\n\s*at \S/

  it('a storage error inside a tool → a tool error with a reference; detail only in the audit', async () => {
    h = await appHarness()
    h.storage.memories.list = () =>
      Promise.reject(
        new Error(
          'SQLITE_CORRUPT: database disk image is malformed\n    at Statement.all (driver.js:1:1)',
        ),
      )
    const response = await h.post(toolCall('memory_list'), bearer(await h.token(['memories:read'])))
    expect(response.status).toBe(200)
    const text = JSON.stringify(await rpcResult(response))
    expect(text).not.toMatch(/SQLITE_CORRUPT|Statement\.all|driver\.js/)
    expect(text).toMatch(/internal error \(reference [0-9a-f]{8}\)/)
    expect(h.audit.events).toContainEqual(
      expect.objectContaining({
        type: 'tool.failed',
        detail: expect.stringContaining('SQLITE_CORRUPT'),
      }),
    )
  })

  it.each([
    ['the database is closed (real SQLite)', 'close', 503],
    ['the user lookup fails with a database error', 'The database connection is not open', 503],
    ['the user lookup fails unexpectedly', 'kaput\n    at users.ensure (users.js:1:1)', 500],
  ])(
    '%s outside a tool → a JSON-RPC error with a reference, no stack',
    async (_name, failure, status) => {
      h = await appHarness()
      const token = await h.token(['memories:read'])
      if (failure === 'close') await h.storage.close()
      else h.storage.users.ensure = () => Promise.reject(new Error(failure))
      const response: unknown = await h
        .post(toolCall('memory_list'), bearer(token))
        .catch((e: unknown) => e)
      expect(response).toBeInstanceOf(Response)
      const answer = response as Response
      expect(answer.status).toBe(status)
      const body = await answer.text()
      expect(body).not.toMatch(STACK_LINE)
      expect(body).not.toMatch(/kaput|not open|users\.js/)
      expect(JSON.parse(body)).toMatchObject({ jsonrpc: '2.0', id: null, error: { code: -32603 } })
      const reference = /reference ([\w-]+)/.exec(body)?.[1]
      expect(reference).toBeDefined()
      expect(h.log.text()).toContain(reference)
    },
  )
})
