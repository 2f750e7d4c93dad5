import { afterEach, describe, expect, it } from 'vitest'
import { OAuthError } from '../protocol/index.js'
import { authenticate } from './authenticate.js'
import { createJwtVerifier } from './jwt-verifier.js'
import type { PeerAnswer, TestKey } from './test-support.js'
import { jwksOf, jwksServer, loopbackPeer, mint, testKey } from './test-support.js'

const ISSUER = 'https://idp.example'
const AUDIENCE = 'https://mcp.example/mcp'
const now = () => Math.floor(Date.now() / 1000)
const claims = () => ({ iss: ISSUER, aud: AUDIENCE, sub: 'u', exp: now() + 600 })
const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms))

const servers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function setup(keys: TestKey[], cooldownMs: number) {
  let served = await jwksOf(...keys)
  const server = await jwksServer(() => served)
  servers.push(server)
  const verifier = createJwtVerifier({
    issuer: ISSUER,
    audience: AUDIENCE,
    jwks: server.url,
    cooldownMs,
  })
  return { server, verifier, serve: async (...k: TestKey[]) => void (served = await jwksOf(...k)) }
}

async function detailOf(promise: Promise<unknown>): Promise<[string, number, string | undefined]> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OAuthError)
  const oauth = error as OAuthError
  return [oauth.code, oauth.status, oauth.detail]
}

describe('createJwtVerifier with a remote JWKS on 127.0.0.1 (TOK-3)', () => {
  it('fetches once and caches the key set', async () => {
    const k1 = await testKey('k1')
    const { server, verifier } = await setup([k1], 30_000)
    for (let i = 0; i < 3; i += 1) await verifier.verify(await mint(k1, claims()))
    expect(server.requests()).toBe(1)
  })

  it('unknown kid: refused, and refetches honour the cooldown', async () => {
    const [k1, k2] = [await testKey('k1'), await testKey('k2')]
    const { server, verifier } = await setup([k1], 30_000)
    await verifier.verify(await mint(k1, claims()))
    expect(server.requests()).toBe(1)
    const unknown = await mint(k2, claims())
    for (let i = 0; i < 5; i += 1) {
      expect(await detailOf(verifier.verify(unknown))).toEqual([
        'invalid_token',
        401,
        'ERR_JWKS_NO_MATCHING_KEY',
      ])
    }
    expect(server.requests()).toBe(1)
  })

  it('after the cooldown an unknown kid triggers one refetch, picking up a rotated key', async () => {
    const [k1, k2] = [await testKey('k1'), await testKey('k2')]
    const { server, verifier, serve } = await setup([k1], 200)
    await verifier.verify(await mint(k1, claims()))
    await serve(k1, k2)
    const rotated = await mint(k2, claims())
    expect((await detailOf(verifier.verify(rotated)))[2]).toBe('ERR_JWKS_NO_MATCHING_KEY')
    expect(server.requests()).toBe(1)
    await sleep(250)
    await expect(verifier.verify(rotated)).resolves.toMatchObject({ subject: 'u' })
    expect(server.requests()).toBe(2)
  })

  it('an unreachable key set is 503 temporarily_unavailable, not a token error', async () => {
    const k1 = await testKey('k1')
    const { server, verifier } = await setup([k1], 0)
    await server.close()
    servers.length = 0
    const [code, status] = await detailOf(verifier.verify(await mint(k1, claims())))
    expect([code, status]).toEqual(['temporarily_unavailable', 503])
  })
})

describe('createJwtVerifier: an IdP outage is 503, never 401 (ERR-2)', () => {
  /** A JWKS endpoint at /jwks whose answer the test can change between requests. */
  async function scripted(first: PeerAnswer) {
    let answer = first
    const peer = await loopbackPeer(() => answer)
    servers.push(peer)
    const verifier = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: peer.url('/jwks?tenant=t1'),
      cooldownMs: 0,
      fetchTimeoutMs: 300,
    })
    return { peer, verifier, answer: (next: PeerAnswer) => void (answer = next) }
  }

  it.each([
    ['404', { status: 404, json: { error: 'not_found' } }, 'answered HTTP 404'],
    ['500', { status: 500, text: 'oops' }, 'answered HTTP 500'],
    ['503 without a body', { status: 503 }, 'answered HTTP 503'],
    [
      'a redirect',
      { status: 302, headers: { location: '/elsewhere' } },
      'answered with a redirect (HTTP 302), which is not followed',
    ],
    ['200 with HTML', { text: '<html>maintenance</html>' }, 'the answer is not valid JSON'],
    ['200 with an empty body', { text: '' }, 'the answer is not valid JSON'],
    ['200 with a JSON array', { json: [] }, 'the answer is not a JSON object'],
    [
      '200 with an oversized body',
      { json: { keys: [], padding: 'x'.repeat(600 * 1024) }, chunked: true },
      'the answer is larger than 524288 bytes',
    ],
  ] as [string, PeerAnswer, string][])(
    'a key set answering %s is temporarily_unavailable',
    async (_name, answer, reason) => {
      const k1 = await testKey('k1')
      const { peer, verifier } = await scripted(answer)
      const [code, status, detail] = await detailOf(verifier.verify(await mint(k1, claims())))
      expect([code, status]).toEqual(['temporarily_unavailable', 503])
      // Names where (origin and path, never the query) and why, for the operator.
      expect(detail).toBe(`key set at ${peer.origin}/jwks: ${reason}`)
    },
  )

  it('a key set that does not answer in time is temporarily_unavailable', async () => {
    const k1 = await testKey('k1')
    const { peer, verifier } = await scripted({ hang: true })
    expect(await detailOf(verifier.verify(await mint(k1, claims())))).toEqual([
      'temporarily_unavailable',
      503,
      `key set at ${peer.origin}/jwks: no answer within 300 ms`,
    ])
  })

  it('JSON that is not a key set stays temporarily_unavailable (ERR_JWKS_INVALID)', async () => {
    const k1 = await testKey('k1')
    const { verifier } = await scripted({ json: { keys: 'none' } })
    expect(await detailOf(verifier.verify(await mint(k1, claims())))).toEqual([
      'temporarily_unavailable',
      503,
      'ERR_JWKS_INVALID',
    ])
  })

  it('recovers once the key set answers again', async () => {
    const k1 = await testKey('k1')
    const { verifier, answer } = await scripted({ status: 500 })
    const token = await mint(k1, claims())
    expect((await detailOf(verifier.verify(token)))[0]).toBe('temporarily_unavailable')
    answer({ json: await jwksOf(k1) })
    await expect(verifier.verify(token)).resolves.toMatchObject({ subject: 'u' })
  })

  it('a bad token against a healthy key set is still 401', async () => {
    const k1 = await testKey('k1')
    const { verifier } = await scripted({ json: await jwksOf(k1) })
    const forged = await mint(await testKey('k1'), claims())
    expect((await detailOf(verifier.verify(forged)))[0]).toBe('invalid_token')
  })

  it('authenticate answers 503 with a generic body and no challenge to re-login', async () => {
    const k1 = await testKey('k1')
    const { peer, verifier } = await scripted({ status: 500 })
    const request = new Request('https://mcp.example/mcp', {
      method: 'POST',
      headers: { authorization: `Bearer ${await mint(k1, claims())}` },
    })
    const challenge = {
      resourceMetadataUrl: 'https://mcp.example/.well-known/oauth-protected-resource',
    }
    const outcome = await authenticate(request, verifier, challenge)
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect([outcome.reason, outcome.detail]).toEqual([
      'temporarily_unavailable',
      `key set at ${peer.origin}/jwks: answered HTTP 500`,
    ])
    expect(outcome.response.status).toBe(503)
    expect(outcome.response.headers.get('www-authenticate')).toBeNull()
    expect(await outcome.response.json()).toEqual({
      error: 'temporarily_unavailable',
      error_description: 'the access token cannot be verified right now',
    })
  })
})
