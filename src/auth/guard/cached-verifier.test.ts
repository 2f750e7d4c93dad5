import { describe, expect, it } from 'vitest'
import { OAuthError, tokenFingerprint } from '../protocol/index.js'
import { cachingVerifier } from './cached-verifier.js'
import { createJwtVerifier } from './jwt-verifier.js'
import { jwksOf, mint, testKey } from './test-support.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

const START = 1_800_000_000_000
const startS = START / 1000

function verified(token: string, expiresAt = startS + 600): VerifiedToken {
  return {
    subject: `user-of-${token}`,
    issuer: 'https://idp.example',
    scopes: ['a'],
    audience: ['https://mcp.example/mcp'],
    expiresAt,
    tokenFingerprint: tokenFingerprint(token),
  }
}

/** A scripted inner verifier that counts its calls; `answer` decides per token. */
function inner(answer: (token: string) => Promise<VerifiedToken> = async (t) => verified(t)) {
  const calls: string[] = []
  const verifier: TokenVerifier = {
    verify(token) {
      calls.push(token)
      return answer(token)
    },
  }
  return { verifier, calls }
}

function deferred<T>() {
  let resolve!: (value: T) => void
  let reject!: (error: unknown) => void
  const promise = new Promise<T>((res, rej) => {
    resolve = res
    reject = rej
  })
  return { promise, resolve, reject }
}

function clocked() {
  let now = START
  return { clock: () => now, at: (ms: number) => void (now = START + ms) }
}

describe('cachingVerifier (DESIGN §7; TOK-7: keyed by SHA-256)', () => {
  it('a hit does not call the inner verifier', async () => {
    const { verifier, calls } = inner()
    const cached = cachingVerifier(verifier, clocked())
    const results = [
      await cached.verify('t1'),
      await cached.verify('t1'),
      await cached.verify('t1'),
    ]
    expect(results).toEqual([verified('t1'), verified('t1'), verified('t1')])
    expect([calls.length, cached.size()]).toEqual([1, 1])
  })

  it('is honoured until expiresAt, never past it (RFC 7519 §4.1.4)', async () => {
    const { verifier, calls } = inner()
    const { clock, at } = clocked()
    const cached = cachingVerifier(verifier, { clock })
    await cached.verify('t1')
    at(599_999)
    await cached.verify('t1')
    expect(calls.length).toBe(1)
    at(600_000)
    await cached.verify('t1')
    expect(calls.length).toBe(2)
  })

  it('a token already past expiresAt (accepted within leeway) is not cached', async () => {
    const { verifier, calls } = inner(async (t) => verified(t, startS - 5))
    const cached = cachingVerifier(verifier, clocked())
    await cached.verify('t1')
    await cached.verify('t1')
    expect([calls.length, cached.size()]).toEqual([2, 0])
  })

  it('failures are never cached (ERR-2)', async () => {
    let fail = true
    const { verifier, calls } = inner(async (t) => {
      if (fail) throw new OAuthError('invalid_token', 'invalid', { detail: 'x' })
      return verified(t)
    })
    const cached = cachingVerifier(verifier, clocked())
    await expect(cached.verify('t1')).rejects.toThrow(OAuthError)
    await expect(cached.verify('t1')).rejects.toThrow(OAuthError)
    fail = false
    await expect(cached.verify('t1')).resolves.toEqual(verified('t1'))
    expect([calls.length, cached.size()]).toEqual([3, 1])
  })

  it('concurrent verifications of one token share one call, success or failure', async () => {
    const gate = deferred<VerifiedToken>()
    const { verifier, calls } = inner(() => gate.promise)
    const cached = cachingVerifier(verifier, clocked())
    const pending = Array.from({ length: 10 }, () => cached.verify('t1'))
    gate.resolve(verified('t1'))
    expect(await Promise.all(pending)).toEqual(Array(10).fill(verified('t1')))
    expect(calls.length).toBe(1)

    const failing = deferred<VerifiedToken>()
    const second = inner(() => failing.promise)
    const cachedFailing = cachingVerifier(second.verifier, clocked())
    const refused = Array.from({ length: 5 }, () => cachedFailing.verify('t2'))
    failing.reject(new OAuthError('temporarily_unavailable', 'later'))
    for (const result of await Promise.allSettled(refused)) expect(result.status).toBe('rejected')
    expect(second.calls.length).toBe(1)
    await expect(cachedFailing.verify('t2')).rejects.toThrow(OAuthError)
    expect(second.calls.length).toBe(2)
  })

  it('is an LRU bounded by maxEntries', async () => {
    const { verifier, calls } = inner()
    const cached = cachingVerifier(verifier, { ...clocked(), maxEntries: 2 })
    for (const token of ['t1', 't2', 't1', 't3']) await cached.verify(token)
    expect([calls, cached.size()]).toEqual([['t1', 't2', 't3'], 2])
    await cached.verify('t1')
    await cached.verify('t2') // t2 was evicted by t3
    expect(calls).toEqual(['t1', 't2', 't3', 't2'])
  })

  it('expired entries do not accumulate: a later insert sweeps them out', async () => {
    const lifetime = (token: string) => (token.startsWith('short') ? 10 : 3600)
    const { verifier } = inner(async (t) => verified(t, startS + lifetime(t)))
    const { clock, at } = clocked()
    const cached = cachingVerifier(verifier, { clock, maxEntries: 1000 })
    for (let i = 0; i < 50; i += 1) await cached.verify(`short-${i}`)
    await cached.verify('long-1')
    expect(cached.size()).toBe(51)
    at(10 * 60_000)
    await cached.verify('long-2')
    expect(cached.size()).toBe(2)
  })

  it('purge() forgets everything, including verifications in flight (revocation)', async () => {
    const gate = deferred<VerifiedToken>()
    let slow = false
    const { verifier, calls } = inner((t) => (slow ? gate.promise : Promise.resolve(verified(t))))
    const cached = cachingVerifier(verifier, clocked())
    await cached.verify('t1')
    cached.purge()
    expect(cached.size()).toBe(0)
    slow = true
    const inFlight = cached.verify('t2')
    cached.purge()
    gate.resolve(verified('t2'))
    await inFlight
    expect(cached.size()).toBe(0)
    expect(calls).toEqual(['t1', 't2'])
  })

  it('a caller mutating its result does not change what others get', async () => {
    const cached = cachingVerifier(inner().verifier, clocked())
    ;(await cached.verify('t1')).scopes.push('admin')
    expect((await cached.verify('t1')).scopes).toEqual(['a'])
  })

  it('in front of the JWT verifier: one signature check per token', async () => {
    const key = await testKey('k1')
    const jwt = createJwtVerifier({
      issuer: 'https://idp.example',
      audience: 'https://mcp.example/mcp',
      jwks: await jwksOf(key),
    })
    let checks = 0
    const cached = cachingVerifier({
      verify: async (t) => {
        checks += 1
        return jwt.verify(t)
      },
    })
    const now = Math.floor(Date.now() / 1000)
    const claims = { iss: 'https://idp.example', aud: 'https://mcp.example/mcp', sub: 'u' }
    const token = await mint(key, { ...claims, exp: now + 600 })
    for (let i = 0; i < 3; i += 1) expect((await cached.verify(token)).subject).toBe('u')
    expect(checks).toBe(1)
  })

  it.each([
    ['no inner verifier', undefined, {}, /TokenVerifier/],
    ['zero entries', inner().verifier, { maxEntries: 0 }, /maxEntries/],
    ['fractional entries', inner().verifier, { maxEntries: 1.5 }, /maxEntries/],
    ['a clock that is not a function', inner().verifier, { clock: 1 }, /clock/],
  ])('refuses %s with a TypeError', (_name, verifier, options, message) => {
    const call = () => cachingVerifier(verifier as TokenVerifier, options as never)
    expect(call).toThrow(TypeError)
    expect(call).toThrow(message)
  })
})
