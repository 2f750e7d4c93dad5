import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { OAuthError, randomToken } from '../protocol/index.js'
import { createIntrospectionVerifier } from './introspection-verifier.js'
import type { PeerAnswer } from './test-support.js'
import { introspectionEndpoint, leakWatch } from './test-support.js'

const ISSUER = 'https://idp.example'
const AUDIENCE = 'https://mcp.example/mcp'
const watch = leakWatch()
const SECRET = watch.secret(`secret-${randomToken()}`)
const ACTIVE = { active: true, aud: AUDIENCE, sub: 'u', exp: Math.floor(Date.now() / 1000) + 600 }

const peers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()))
})
afterAll(() => {
  expect(watch.count()).toBeGreaterThanOrEqual(10)
  watch.assertNoLeak()
})

async function failure(answer: PeerAnswer, fetchTimeoutMs = 5000) {
  const peer = await introspectionEndpoint((_token, request) =>
    request.path === '/introspect' ? answer : { json: ACTIVE },
  )
  peers.push(peer)
  const verifier = createIntrospectionVerifier({
    endpoint: peer.endpoint,
    issuer: ISSUER,
    audience: AUDIENCE,
    clientId: 'mcp-server',
    clientSecret: { reveal: () => SECRET },
    fetchTimeoutMs,
  })
  const token = watch.secret(`opaque-${randomToken()}`)
  const error = await watch.rejection(verifier.verify(token))
  expect(error).toBeInstanceOf(OAuthError)
  const oauth = error as OAuthError
  expect([oauth.code, oauth.status]).toEqual(['temporarily_unavailable', 503])
  expect(oauth.description).toBe('the access token cannot be verified right now')
  return { detail: oauth.detail ?? '', peer }
}

const big = { ...ACTIVE, padding: 'x'.repeat(70 * 1024) }

describe('createIntrospectionVerifier: no usable answer → 503 temporarily_unavailable', () => {
  it.each([
    [
      'HTTP 401: our client credentials are wrong',
      { status: 401, json: { error: 'invalid_client' } },
      /^the introspection endpoint refused this server's client credentials \(HTTP 401\): check authentication\.introspection_client_id \/ introspection_client_secret$/,
    ],
    [
      'HTTP 403: our client is not allowed to introspect',
      { status: 403, json: {} },
      /refused this server's client credentials \(HTTP 403\)/,
    ],
    ['HTTP 500', { status: 500, text: 'boom' }, /introspect: answered HTTP 500$/],
    ['HTTP 400', { status: 400, json: { error: 'invalid_request' } }, /answered HTTP 400$/],
    ['invalid JSON', { text: '{"active": tru' }, /not valid JSON$/],
    ['a JSON array', { json: [ACTIVE] }, /not a JSON object$/],
    ['JSON null', { text: 'null' }, /not a JSON object$/],
    ['not UTF-8', { raw: Uint8Array.of(0x7b, 0xff, 0xfe, 0x7d) }, /not UTF-8$/],
    ['an oversized body with Content-Length', { json: big }, /larger than 65536 bytes$/],
    ['an oversized chunked body', { json: big, chunked: true }, /larger than 65536 bytes$/],
    [
      'a redirect (not followed)',
      { status: 302, headers: { location: '/elsewhere' } },
      /redirect \(HTTP 302\), which is not followed$/,
    ],
    [
      'a 307 redirect (not followed)',
      { status: 307, headers: { location: '/elsewhere' } },
      /redirect \(HTTP 307\)/,
    ],
  ] as [string, PeerAnswer, RegExp][])('%s', async (_name, answer, detail) => {
    const { detail: actual, peer } = await failure(answer)
    expect(actual).toMatch(detail)
    expect(peer.requests.map((r) => r.path)).toEqual(['/introspect'])
  })

  it('a timeout', async () => {
    const started = Date.now()
    const { detail } = await failure({ hang: true }, 200)
    expect(detail).toMatch(/: no answer within 200 ms$/)
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('a refused connection', async () => {
    const peer = await introspectionEndpoint(() => ACTIVE)
    await peer.close()
    const verifier = createIntrospectionVerifier({
      endpoint: peer.endpoint,
      issuer: ISSUER,
      audience: AUDIENCE,
      clientId: 'mcp-server',
      clientSecret: { reveal: () => SECRET },
    })
    const error = (await watch.rejection(
      verifier.verify(watch.secret(`opaque-${randomToken()}`)),
    )) as OAuthError
    expect([error.code, error.status]).toEqual(['temporarily_unavailable', 503])
    expect(error.detail).toMatch(/network error \(ECONNREFUSED\)$/)
  })

  it('a fetch that throws a message echoing its input never leaks it', async () => {
    const token = watch.secret(`opaque-${randomToken()}`)
    const verifier = createIntrospectionVerifier({
      endpoint: 'https://idp.example/introspect',
      issuer: ISSUER,
      audience: AUDIENCE,
      clientId: 'mcp-server',
      clientSecret: { reveal: () => SECRET },
      fetch: async (_url, init) => {
        throw new Error(`cannot send ${String(init?.body)} ${JSON.stringify(init?.headers)}`)
      },
    })
    const error = (await watch.rejection(verifier.verify(token))) as OAuthError
    expect(error.detail).toBe('introspection at https://idp.example/introspect: network error')
    expect(error.cause).toBeUndefined()
  })

  it('failures are not cached: the next call asks again', async () => {
    let status = 500
    const peer = await introspectionEndpoint(() => (status === 200 ? ACTIVE : { status }))
    peers.push(peer)
    const verifier = createIntrospectionVerifier({
      endpoint: peer.endpoint,
      issuer: ISSUER,
      audience: AUDIENCE,
      clientId: 'mcp-server',
      clientSecret: { reveal: () => SECRET },
    })
    const token = watch.secret(`opaque-${randomToken()}`)
    await watch.rejection(verifier.verify(token))
    status = 200
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'u' })
    expect(peer.count()).toBe(2)
  })
})
