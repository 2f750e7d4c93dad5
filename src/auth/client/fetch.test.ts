import { once } from 'node:events'
import { createServer } from 'node:net'
import type { AddressInfo } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { clientRequest, fetchJsonObject } from './fetch.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { ClientFetchError, clientFetchPolicy } from './url-policy.js'
import type { ClientFetchErrorCode, ClientFetchOptions, Resolver } from './url-policy.js'

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(routes: Record<string, Answer>) {
  const server = await routeServer(() => routes)
  servers.push(server)
  return server
}

/** The test runs against 127.0.0.1: the "MCP server" is on loopback, so loopback is allowed. */
const LOCAL: ClientFetchOptions = { trustedHosts: ['127.0.0.1'], timeoutMs: 2000 }

async function failure(promise: Promise<unknown>, code: ClientFetchErrorCode) {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ClientFetchError)
  expect((error as ClientFetchError).code).toBe(code)
  return error as ClientFetchError
}

const fakeDns =
  (table: Record<string, string[]>): Resolver =>
  async (hostname) => {
    const addresses = table[hostname]
    if (addresses === undefined) throw Object.assign(new Error('nope'), { code: 'ENOTFOUND' })
    return addresses
  }

describe('fetchJsonObject: metadata documents from a loopback server', () => {
  it('GETs a JSON object with Accept: application/json and no credentials', async () => {
    const s = await serve({ '/doc': json({ issuer: 'x' }) })
    const policy = clientFetchPolicy(LOCAL)
    await expect(fetchJsonObject(`${s.origin}/doc`, 'the doc', policy)).resolves.toEqual({
      issuer: 'x',
    })
    expect(s.requests).toEqual([
      { method: 'GET', path: '/doc', authorization: undefined, body: '' },
    ])
  })

  it.each<[string, Answer, ClientFetchErrorCode, RegExp]>([
    [
      '404',
      { status: 404, body: 'nope' },
      'unexpected_status',
      /the doc at .*\/doc answered HTTP 404/,
    ],
    ['500', { status: 500 }, 'unexpected_status', /HTTP 500/],
    ['204', { status: 204 }, 'unexpected_status', /HTTP 204/],
    ['HTML', { body: '<html></html>' }, 'invalid_body', /not valid JSON/],
    ['an array', json([1]), 'invalid_body', /not a JSON object/],
    ['null', { body: 'null' }, 'invalid_body', /not a JSON object/],
    ['not UTF-8', { body: Buffer.from([0x7b, 0xff, 0x7d]) }, 'invalid_body', /not UTF-8/],
  ])('refuses %s', async (_name, answer, code, message) => {
    const s = await serve({ '/doc': answer })
    const error = await failure(
      fetchJsonObject(`${s.origin}/doc`, 'the doc', clientFetchPolicy(LOCAL)),
      code,
    )
    expect(error.message).toMatch(message)
  })
})

describe('clientRequest: limits (SBP SSRF: timeouts, size caps, redirects)', () => {
  it('times out when the answer is slow', async () => {
    const s = await serve({ '/slow': { delayMs: 10_000, body: '{}' } })
    const started = Date.now()
    const policy = clientFetchPolicy({ ...LOCAL, timeoutMs: 150 })
    const error = await failure(fetchJsonObject(`${s.origin}/slow`, 'the doc', policy), 'timeout')
    expect(error.message).toMatch(/gave no answer within 150 ms/)
    expect(Date.now() - started).toBeLessThan(2000)
  })

  it('times out when the body stalls after the headers', async () => {
    const s = await serve({ '/stall': { firstChunk: '{"a":', delayMs: 10_000 } })
    const policy = clientFetchPolicy({ ...LOCAL, timeoutMs: 150 })
    await failure(fetchJsonObject(`${s.origin}/stall`, 'the doc', policy), 'timeout')
  })

  it.each([
    ['with Content-Length', { body: Buffer.alloc(5000, 0x61) }],
    ['chunked', { firstChunk: 'a'.repeat(3000), body: 'a'.repeat(3000), delayMs: 10 }],
  ])('refuses a body over the cap %s', async (_name, answer) => {
    const s = await serve({ '/huge': answer })
    const policy = clientFetchPolicy({ ...LOCAL, maxBytes: 4096 })
    const error = await failure(
      fetchJsonObject(`${s.origin}/huge`, 'the doc', policy),
      'body_too_large',
    )
    expect(error.message).toMatch(/larger than 4096 bytes/)
  })

  it('does not read the body when told not to (a stream that never ends)', async () => {
    const s = await serve({
      '/mcp': { status: 200, firstChunk: 'event: message\n', delayMs: 10_000 },
    })
    const answer = await clientRequest(
      `${s.origin}/mcp`,
      { what: 'the MCP server', method: 'POST', body: '{}', readBody: () => false },
      clientFetchPolicy(LOCAL),
    )
    expect(answer).toMatchObject({ status: 200, body: '' })
  })

  it.each([
    [
      'the metadata service',
      'http://169.254.169.254/latest/meta-data/iam',
      /169\.254\.169\.254\/latest\/meta-data\/iam/,
    ],
    ['a relative location', '/elsewhere?token=SECRET', /127\.0\.0\.1:\d+\/elsewhere;/],
  ])('never follows a redirect (to %s)', async (_name, location, named) => {
    const s = await serve({ '/doc': { status: 302, headers: { location } } })
    const error = await failure(
      fetchJsonObject(`${s.origin}/doc`, 'the doc', clientFetchPolicy(LOCAL)),
      'redirect_refused',
    )
    expect(error.status).toBe(302)
    expect(error.message).toMatch(named)
    expect(error.message).not.toContain('SECRET')
    expect(s.paths()).toEqual(['/doc'])
  })

  it('reports a refused connection without the query, headers or body', async () => {
    const closed = createServer()
    closed.listen(0, '127.0.0.1')
    await once(closed, 'listening')
    const { port } = closed.address() as AddressInfo
    await new Promise((done) => closed.close(done))
    const error = await failure(
      clientRequest(
        `http://127.0.0.1:${port}/token?code=SECRET-1`,
        {
          what: 'the token endpoint',
          method: 'POST',
          headers: { authorization: 'Bearer SECRET-2' },
          body: 'refresh_token=SECRET-3',
        },
        clientFetchPolicy(LOCAL),
      ),
      'network_error',
    )
    expect(error.message).toMatch(
      /the token endpoint at http:\/\/127\.0\.0\.1:\d+\/token could not be reached \(ECONNREFUSED\)/,
    )
    expect(`${error.message} ${error.stack}`).not.toMatch(/SECRET/)
  })
})

describe('clientRequest: every resolved address is checked, and used (SBP SSRF, DNS pinning)', () => {
  it.each<[string, string[], RegExp]>([
    ['a private address', ['10.0.0.7'], /points to 10\.0\.0\.7/],
    ['one private address among public ones', ['93.184.216.34', '10.0.0.7'], /10\.0\.0\.7/],
    ['the metadata service, IPv4-mapped', ['::ffff:169.254.169.254'], /::ffff:169\.254\.169\.254/],
    ['IPv6 link-local', ['fe80::1'], /fe80::1/],
    ['loopback, when the server is not on loopback', ['127.0.0.1'], /127\.0\.0\.1/],
  ])('refuses a name that resolves to %s, before connecting', async (_name, addresses, message) => {
    const policy = clientFetchPolicy({
      resolve: fakeDns({ 'as.test': addresses }),
      timeoutMs: 2000,
    })
    const error = await failure(
      fetchJsonObject('https://as.test/.well-known/x', 'the doc', policy),
      'forbidden_address',
    )
    expect(error.message).toMatch(message)
    expect(error.message).toMatch(/^the doc \(host as\.test\)/)
  })

  it.each([
    ['a name that does not resolve', fakeDns({})],
    ['a resolver answering nothing', fakeDns({ 'as.test': [] })],
  ])('refuses %s', async (_name, resolve) => {
    const policy = clientFetchPolicy({ resolve, timeoutMs: 2000 })
    const error = await failure(
      fetchJsonObject('https://as.test/x', 'the doc', policy),
      'unresolvable_host',
    )
    expect(error.message).toMatch(/the host as\.test does not resolve/)
  })

  it('connects to the address the check approved (the name exists only in the test resolver)', async () => {
    const s = await serve({ '/doc': json({ ok: true }) })
    const resolve = fakeDns({ 'pinned.test': ['127.0.0.1'] })
    const policy = clientFetchPolicy({ ...LOCAL, resolve, dangerouslyAllowHttp: true })
    await expect(
      fetchJsonObject(`http://pinned.test:${s.port}/doc`, 'the doc', policy),
    ).resolves.toEqual({ ok: true })
  })

  it('allows any address on a trusted host (the MCP server’s own)', async () => {
    const s = await serve({ '/doc': json({ ok: true }) })
    const resolve = fakeDns({ 'mcp.test': ['127.0.0.1'] })
    const policy = clientFetchPolicy({
      trustedHosts: ['mcp.test'],
      resolve,
      dangerouslyAllowHttp: true,
    })
    await expect(
      fetchJsonObject(`http://mcp.test:${s.port}/doc`, 'the doc', policy),
    ).resolves.toEqual({ ok: true })
  })

  it('resolves localhost with the system resolver when loopback is trusted', async () => {
    const s = await serve({ '/doc': json({ ok: true }) })
    await expect(
      fetchJsonObject(`http://localhost:${s.port}/doc`, 'the doc', clientFetchPolicy(LOCAL)),
    ).resolves.toEqual({ ok: true })
  })

  it('refuses plain http before resolving anything (T-7)', async () => {
    let asked = 0
    const resolve: Resolver = async () => {
      asked += 1
      return ['93.184.216.34']
    }
    await failure(
      fetchJsonObject('http://as.test/x', 'the doc', clientFetchPolicy({ resolve })),
      'insecure_url',
    )
    expect(asked).toBe(0)
  })
})
