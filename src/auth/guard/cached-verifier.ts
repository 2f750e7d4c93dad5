import { sha256Hex } from '../protocol/index.js'
import { ExpiringLru } from '../protocol/index.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

export interface CachingVerifierOptions {
  /** Bound of the cache, 1–1 000 000 entries (default 10 000); the least recently used go first. */
  maxEntries?: number
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number
}

/** A {@link TokenVerifier} with a cache of verified tokens that can be emptied. */
export interface CachingVerifier extends TokenVerifier {
  /** Forgets every verified token, e.g. on grant revocation; lookups in flight are not cached. */
  purge(): void
  /** The number of cached tokens, including expired ones not swept out yet. */
  size(): number
}

function copy(token: VerifiedToken): VerifiedToken {
  return { ...token, scopes: [...token.scopes], audience: [...token.audience] }
}

/**
 * Wraps a verifier with a bounded LRU of verified tokens keyed by the SHA-256 of the token (never
 * the token itself, TOK-7), each honoured until its `expiresAt` and never past it. Failures are
 * never cached. Concurrent verifications of one token share one call to `inner`. A signature check
 * costs ≈ 100 µs and a SHA-256 ≈ 1.6 µs, so a warm cache brings authenticated throughput close to
 * unauthenticated (DESIGN §7).
 *
 * Memory: at most `maxEntries` tokens (least recently used evicted first); expired entries are
 * dropped when looked up and swept out by the next insert at most a minute later (ExpiringLru), so
 * they cannot accumulate. No timer, nothing to close.
 *
 * Revocation latency, for external JWT access tokens: the JWT verifier never asks the IdP, so a
 * revoked JWT is accepted until its `exp` (plus the clock leeway, 30 s by default) with or
 * without this cache; the only ways to shorten that are short-lived access tokens at the IdP or
 * `token_verification: introspection`. This cache adds no latency on top of `exp`: an entry lives
 * until `expiresAt` (the token's `exp`, exclusive), never past it, and a token accepted only
 * within the leeway is not cached at all. One case it does lengthen: a token verified before its
 * signing key was removed from the JWKS (a compromised key) stays accepted from the cache until
 * its `exp`, where an uncached verifier would refuse it once jose refetches the key set; call
 * {@link CachingVerifier.purge} after removing a key. Nothing calls `purge()` automatically.
 *
 * Do not put this cache in front of the introspection verifier: it would honour an introspected
 * token until its `exp` instead of the introspection cache period (`cacheTtlSeconds`), turning
 * revocation latency from seconds into the token lifetime. That verifier has its own cache.
 * @see RFC 7519 §4.1.4
 */
export function cachingVerifier(
  inner: TokenVerifier,
  options: CachingVerifierOptions = {},
): CachingVerifier {
  if (typeof inner?.verify !== 'function') {
    throw new TypeError('cachingVerifier needs a TokenVerifier (an object with verify(token))')
  }
  const maxEntries = options.maxEntries ?? 10_000
  if (!Number.isInteger(maxEntries) || maxEntries < 1 || maxEntries > 1e6) {
    throw new TypeError(`maxEntries must be an integer between 1 and 1000000, got ${maxEntries}`)
  }
  if (options.clock !== undefined && typeof options.clock !== 'function') {
    throw new TypeError('clock must be a function returning milliseconds since the epoch')
  }
  const clock = options.clock ?? Date.now
  const cache = new ExpiringLru<VerifiedToken>(maxEntries)
  const inflight = new Map<string, Promise<VerifiedToken>>()
  // Bumped by purge(): a verification that began before a purge must not repopulate the cache.
  let generation = 0

  async function verifyAndRemember(token: string, key: string): Promise<VerifiedToken> {
    const started = generation
    const verified = await inner.verify(token)
    const until = verified.expiresAt * 1000
    const now = clock()
    if (started === generation && Number.isFinite(until) && until > now) {
      cache.set(key, copy(verified), until, now)
    }
    return verified
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      if (typeof token !== 'string') return inner.verify(token)
      const key = sha256Hex(token)
      const cached = cache.get(key, clock())
      if (cached !== undefined) return copy(cached)
      let pending = inflight.get(key)
      if (pending === undefined) {
        pending = verifyAndRemember(token, key).finally(() => {
          if (inflight.get(key) === pending) inflight.delete(key)
        })
        inflight.set(key, pending)
      }
      return copy(await pending)
    },
    purge(): void {
      generation += 1
      cache.clear()
      inflight.clear()
    },
    size(): number {
      return cache.size
    },
  }
}
