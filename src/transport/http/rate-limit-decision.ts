import { RateLimiterRes } from 'rate-limiter-flexible'

/**
 * One rate-limit decision, in the units the wire uses: whole requests and whole seconds.
 * `retryAfterSeconds` is present exactly when the request is refused.
 */
export interface RateDecision {
  allowed: boolean
  /** Requests allowed per window (the policy's quota). */
  limit: number
  /** Requests left in the current window after this one. */
  remaining: number
  /** Seconds until the current window ends and the quota is whole again. */
  resetSeconds: number
  retryAfterSeconds?: number
}

/** A quota: `points` requests per `durationSeconds` window. */
export interface RateLimitPolicy {
  points: number
  durationSeconds: number
}

const seconds = (ms: number): number => (ms > 0 ? Math.ceil(ms / 1000) : 0)

/**
 * Runs one `consume` of rate-limiter-flexible and maps its three outcomes to a decision:
 * - resolved with a `RateLimiterRes`: allowed;
 * - rejected with a `RateLimiterRes`: over the limit, refused with `Retry-After` ≥ 1 s;
 * - rejected with anything else (a store error that the memory insurance did not absorb, or a
 *   bug): **allowed** (fail open), and `onError` is told. The limiter protects capacity; it is
 *   not an access control (the guard authenticates every request regardless), so a broken
 *   limiter must degrade to "no limit" rather than to "no service". With Redis configured the
 *   in-memory insurance answers whenever Redis cannot, so this branch is not expected to run.
 *   The decision then reports the window as if it had just started (`limit - 1` left).
 */
export async function decide(
  consume: () => Promise<RateLimiterRes>,
  policy: RateLimitPolicy,
  onError: (error: unknown) => void,
): Promise<RateDecision> {
  const limit = policy.points
  try {
    const res = await consume()
    return {
      allowed: true,
      limit,
      remaining: Math.max(0, Math.min(limit, res.remainingPoints)),
      resetSeconds: seconds(res.msBeforeNext),
    }
  } catch (error) {
    if (error instanceof RateLimiterRes) {
      const wait = Math.max(1, seconds(error.msBeforeNext))
      return { allowed: false, limit, remaining: 0, resetSeconds: wait, retryAfterSeconds: wait }
    }
    onError(error)
    return { allowed: true, limit, remaining: limit - 1, resetSeconds: policy.durationSeconds }
  }
}

/**
 * `RateLimit-Policy` value in the style of draft-ietf-httpapi-ratelimit-headers (-07):
 * `<quota>;w=<window seconds>`, e.g. `600;w=60`.
 */
export function rateLimitPolicy(policy: RateLimitPolicy): string {
  return `${policy.points};w=${policy.durationSeconds}`
}

/**
 * Response headers for a decision (draft-ietf-httpapi-ratelimit-headers -07 field names):
 * `RateLimit-Limit`, `RateLimit-Remaining`, `RateLimit-Reset` (delta seconds), and
 * `Retry-After` (delta seconds, RFC 9110 §10.2.3) when the request is refused. All integers.
 */
export function rateLimitHeaders(decision: RateDecision): Record<string, string> {
  const int = (n: number) => String(Math.max(0, Math.ceil(n)))
  const headers: Record<string, string> = {
    'RateLimit-Limit': int(decision.limit),
    'RateLimit-Remaining': int(decision.remaining),
    'RateLimit-Reset': int(decision.resetSeconds),
  }
  if (!decision.allowed) {
    headers['Retry-After'] = String(Math.max(1, Math.ceil(decision.retryAfterSeconds ?? 1)))
  }
  return headers
}
