import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import { OAuthError, randomToken } from '../protocol/index.js'
import { createIntrospectionVerifier } from './introspection-verifier.js'
import type { IntrospectionVerifierOptions } from './introspection-options.js'
import type { PeerAnswer } from './test-support.js'
import { introspectionEndpoint } from './test-support.js'

/** The introspection client secret, generated per run. */
const SECRET = randomBytes(16).toString('base64url')

const ISSUER = 'https://idp.example'
const AUDIENCE = 'https://mcp.example/mcp'
const START = 1_800_000_000_000
const startS = START / 1000

const peers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()))
})

/** An endpoint whose answer per token is scripted, a verifier on a frozen clock, and the clock. */
async function setup(
  answer: (token: string) => Record<string, unknown> | PeerAnswer,
  options: Partial<IntrospectionVerifierOptions> = {},
) {
  const peer = await introspectionEndpoint((token) => answer(token))
  peers.push(peer)
  let now = START
  const verifier = createIntrospectionVerifier({
    endpoint: peer.endpoint,
    issuer: ISSUER,
    audience: AUDIENCE,
    clientId: 'mcp-server',
    clientSecret: { reveal: () => SECRET },
    clock: () => now,
    ...options,
  })
  const at = (ms: number) => void (now = START + ms)
  const outcome = (token: string) =>
    verifier.verify(token).then(
      (v) => v.subject,
      (e: unknown) => (e instanceof OAuthError ? `${e.code}: ${e.detail}` : 'other'),
    )
  return { peer, verifier, at, outcome }
}

const active = (exp?: number) => ({ active: true, aud: AUDIENCE, sub: 'u', exp })

describe('introspection cache: positive answers (TOK-7: keyed by SHA-256, never by the token)', () => {
  it('a repeated token costs one request', async () => {
    const { peer, verifier } = await setup(() => active(startS + 3600))
    const token = `opaque-${randomToken()}`
    for (let i = 0; i < 5; i += 1) await verifier.verify(token)
    expect(peer.count()).toBe(1)
  })

  it.each([
    ['exp an hour away: the 60 s ceiling', startS + 3600, 60_000],
    ['exp 20 s away: until exp', startS + 20, 20_000],
    ['no exp: the 60 s ceiling', undefined, 60_000],
  ])('%s', async (_name, exp, lifetimeMs) => {
    const { peer, verifier, at } = await setup(() => active(exp), { clockToleranceSeconds: 0 })
    const token = `opaque-${randomToken()}`
    await verifier.verify(token)
    at(lifetimeMs - 1)
    await verifier.verify(token)
    expect(peer.count()).toBe(1)
    at(lifetimeMs)
    await verifier.verify(token).catch(() => undefined)
    expect(peer.count()).toBe(2)
  })

  it('cacheTtlSeconds shortens the period; 0 disables the cache', async () => {
    const short = await setup(() => active(startS + 3600), { cacheTtlSeconds: 5 })
    const token = `opaque-${randomToken()}`
    await short.verifier.verify(token)
    short.at(4_999)
    await short.verifier.verify(token)
    short.at(5_000)
    await short.verifier.verify(token)
    expect(short.peer.count()).toBe(2)
    const none = await setup(() => active(startS + 3600), { cacheTtlSeconds: 0 })
    for (let i = 0; i < 3; i += 1) await none.verifier.verify(token)
    expect(none.peer.count()).toBe(3)
  })

  it('concurrent verifications of one token share one request', async () => {
    const { peer, verifier } = await setup(() => active(startS + 3600))
    const token = `opaque-${randomToken()}`
    const results = await Promise.all(Array.from({ length: 8 }, () => verifier.verify(token)))
    expect(new Set(results.map((r) => r.subject))).toEqual(new Set(['u']))
    expect(peer.count()).toBe(1)
  })

  it('the cache is an LRU bounded by maxCacheEntries', async () => {
    const { peer, verifier } = await setup(() => active(startS + 3600), { maxCacheEntries: 2 })
    const [t1, t2, t3] = ['a', 'b', 'c'].map((x) => `${x}-${randomToken()}`) as [
      string,
      string,
      string,
    ]
    await verifier.verify(t1)
    await verifier.verify(t2)
    await verifier.verify(t1) // t1 becomes the most recently used
    expect(peer.count()).toBe(2)
    await verifier.verify(t3) // evicts t2
    await verifier.verify(t1)
    expect(peer.count()).toBe(3)
    await verifier.verify(t2)
    expect(peer.count()).toBe(4)
  })

  it('a returned token cannot corrupt the cache', async () => {
    const { verifier } = await setup(() => ({ ...active(startS + 3600), scope: 'a' }))
    const token = `opaque-${randomToken()}`
    const first = await verifier.verify(token)
    first.scopes.push('admin')
    expect((await verifier.verify(token)).scopes).toEqual(['a'])
  })
})

describe('introspection cache: refusals (TOK-3)', () => {
  it('an inactive token is remembered for 10 s, then asked again', async () => {
    const { peer, at, outcome } = await setup(() => ({ active: false }))
    const token = `opaque-${randomToken()}`
    expect(await outcome(token)).toBe(
      'invalid_token: inactive: the introspection answer is not active',
    )
    at(9_999)
    expect(await outcome(token)).toBe(
      'invalid_token: inactive: the introspection answer is not active (cached)',
    )
    expect(peer.count()).toBe(1)
    at(10_000)
    await outcome(token)
    expect(peer.count()).toBe(2)
  })

  it('a token whose nbf is ahead is not remembered: it may become valid', async () => {
    const { peer, at, outcome } = await setup(
      () => ({ ...active(startS + 3600), nbf: startS + 60 }),
      { clockToleranceSeconds: 0 },
    )
    const token = `opaque-${randomToken()}`
    expect(await outcome(token)).toBe('invalid_token: nbf in the future')
    at(60_000)
    expect(await outcome(token)).toBe('u')
    expect(peer.count()).toBe(2)
  })

  it('an expired answer is not cached as valid, and a token that expires is re-asked', async () => {
    const { peer, at, outcome } = await setup(() => active(startS + 10), {
      clockToleranceSeconds: 0,
    })
    const token = `opaque-${randomToken()}`
    expect(await outcome(token)).toBe('u')
    at(10_000)
    expect(await outcome(token)).toBe('invalid_token: expired (exp)')
    expect(peer.count()).toBe(2)
  })
})
