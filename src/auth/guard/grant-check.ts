import { OAuthError } from '../protocol/index.js'
import { ExpiringLru } from '../protocol/index.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

export interface GrantCheckOptions {
  /** Whether the grant still exists (the built-in authorization server's store). */
  grantActive(grantId: string): Promise<boolean>
  /**
   * Whether a client still exists, for tokens without a grant (client credentials): a revoked
   * client's machine tokens stop like a revoked grant's. Absent: such tokens pass.
   */
  clientActive?(clientId: string): Promise<boolean>
  /** How long an "active" answer is trusted, ms (default 10 000; at most 30 000, DESIGN §5). */
  cacheMs?: number
  maxEntries?: number
  clock?: () => number
}

/**
 * Makes grant revocation visible to the guard (issue 4): a token carrying the built-in server's
 * grant id (`gid`) passes only while that grant exists. "Active" answers are remembered for
 * `cacheMs` (≤ 30 s), "revoked" ones for good (a grant never comes back), so a revoked grant's
 * access tokens stop working within `cacheMs` on every instance, without a call per request.
 * Tokens without `gid` (client credentials, external IdPs) pass through unchanged.
 */
export function grantCheckingVerifier(
  inner: TokenVerifier,
  options: GrantCheckOptions,
): TokenVerifier {
  const cacheMs = options.cacheMs ?? 10_000
  if (!Number.isInteger(cacheMs) || cacheMs < 0 || cacheMs > 30_000) {
    throw new TypeError(`cacheMs must be an integer from 0 to 30000, got ${cacheMs}`)
  }
  const clock = options.clock ?? Date.now
  const active = new ExpiringLru<true>(options.maxEntries ?? 10_000)
  const revoked = new ExpiringLru<true>(options.maxEntries ?? 10_000)
  const pending = new Map<string, Promise<boolean>>()

  const check = async (key: string, ask: () => Promise<boolean>): Promise<boolean> => {
    const now = clock()
    if (revoked.get(key, now) !== undefined) return false
    if (active.get(key, now) !== undefined) return true
    let lookup = pending.get(key)
    if (lookup === undefined) {
      lookup = ask().finally(() => pending.delete(key))
      pending.set(key, lookup)
    }
    const alive = await lookup
    if (alive) active.set(key, true, clock() + cacheMs, clock())
    else revoked.set(key, true, clock() + 90 * 86_400_000, clock())
    return alive
  }
  const alive = (verified: VerifiedToken): Promise<boolean> => {
    const { grantId, clientId } = verified
    if (grantId !== undefined) return check(`grant:${grantId}`, () => options.grantActive(grantId))
    const clientActive = options.clientActive
    if (clientId === undefined || clientActive === undefined) return Promise.resolve(true)
    return check(`client:${clientId}`, () => clientActive(clientId))
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      const verified = await inner.verify(token)
      let live: boolean
      try {
        live = await alive(verified)
      } catch {
        throw new OAuthError(
          'temporarily_unavailable',
          'the access token cannot be verified right now',
          {
            detail: 'grant lookup failed',
          },
        )
      }
      if (!live) {
        throw new OAuthError('invalid_token', 'the access token is invalid or expired', {
          detail: verified.grantId === undefined ? 'client removed' : 'grant revoked',
        })
      }
      return verified
    },
  }
}
