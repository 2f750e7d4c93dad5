import {
  RateLimiterMemory,
  RateLimiterRedis,
  type RateLimiterAbstract,
} from 'rate-limiter-flexible'
import {
  decide,
  rateLimitPolicy,
  type RateDecision,
  type RateLimitPolicy,
} from './rate-limit-decision.js'
import { ipRateLimitKey } from './rate-limit-key.js'
import { connectRedis, type RateLimitLogger, type RedisLink } from './rate-limit-redis.js'

export { rateLimitHeaders, rateLimitPolicy } from './rate-limit-decision.js'
export type { RateDecision, RateLimitPolicy } from './rate-limit-decision.js'
export { ipRateLimitKey } from './rate-limit-key.js'
export { redactRedisUrl } from './rate-limit-redis.js'
export type { RateLimitLogger } from './rate-limit-redis.js'

export interface RateLimitersOptions {
  /** Share the budgets between instances through Redis; without it, each instance counts alone. */
  redis?: { url: string } | undefined
  /** Per access token (fingerprint) on the MCP endpoint. */
  mcp: RateLimitPolicy
  /** Per client IP on unauthenticated routes (the AS) and for refused tokens. */
  unauthenticated: RateLimitPolicy
  /** Per client IP on the built-in authorization server's token, authorize and login routes. */
  oauth?: RateLimitPolicy | undefined
  /** Per client IP on dynamic client registration (a longer window). */
  registration?: RateLimitPolicy | undefined
  /** Prefix of every key (Redis and memory); default `mcp-pa:rl`. */
  keyPrefix?: string
  logger?: RateLimitLogger
}

export interface RateLimiters {
  /** Counts one MCP request against a token's budget. Takes `tokenFingerprint(token)`. */
  consumeMcp(fingerprint: string): Promise<RateDecision>
  /** Counts one request against a client address's budget (IPv6 per /64). */
  consumeIp(ip: string): Promise<RateDecision>
  /** Counts one authorization-server request against a client address (IPv6 per /64). */
  consumeOauth(ip: string): Promise<RateDecision>
  /** Counts one dynamic registration against a client address. */
  consumeRegistration(ip: string): Promise<RateDecision>
  /** Where decisions are made once the first Redis connection attempt settles. */
  ready(): Promise<'memory' | 'redis'>
  /** `RateLimit-Policy` header values. */
  policies: { mcp: string; unauthenticated: string; oauth: string; registration: string }
  /** Quits the Redis connection (if any). */
  close(): Promise<void>
  /** The configured store; with `redis`, memory still answers while Redis cannot. */
  backend: 'memory' | 'redis'
}

const MAX_POINTS = 1_000_000_000
const MAX_WINDOW_SECONDS = 86_400
const FINGERPRINT = /^sha256:[0-9a-f]{8,64}$/
const ERROR_LOG_INTERVAL_MS = 60_000

function checkPolicy(name: 'mcp' | 'unauthenticated', policy: unknown): RateLimitPolicy {
  const setting = name === 'mcp' ? 'rate_limit.mcp_per_minute' : 'rate_limit.ip_per_minute'
  const p = (policy ?? {}) as Partial<Record<keyof RateLimitPolicy, unknown>>
  const { points, durationSeconds } = p
  if (!Number.isInteger(points) || (points as number) < 1 || (points as number) > MAX_POINTS) {
    throw new TypeError(
      `rate limit ${name}.points must be an integer from 1 to ${MAX_POINTS} (requests per window), got ${String(points)}; check ${setting}`,
    )
  }
  const d = durationSeconds as number
  if (!Number.isInteger(d) || d < 1 || d > MAX_WINDOW_SECONDS) {
    throw new TypeError(
      `rate limit ${name}.durationSeconds must be an integer from 1 to ${MAX_WINDOW_SECONDS} (window length in seconds), got ${String(durationSeconds)}`,
    )
  }
  return { points: points as number, durationSeconds: d }
}

function checkOptions(options: RateLimitersOptions) {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createRateLimiters needs an options object: { mcp, unauthenticated }')
  }
  const keyPrefix = options.keyPrefix ?? 'mcp-pa:rl'
  if (typeof keyPrefix !== 'string' || !/^[\w:.-]{1,100}$/.test(keyPrefix)) {
    throw new TypeError(
      'rate limit keyPrefix must be 1 to 100 letters, digits or _ : . -; leave it out for the default mcp-pa:rl',
    )
  }
  const redis = options.redis
  if (redis !== undefined && (typeof redis?.url !== 'string' || redis.url === '')) {
    throw new TypeError(
      'rate limit redis.url must be a redis:// URL; leave redis out to count in memory',
    )
  }
  if (options.logger !== undefined && typeof options.logger?.warn !== 'function') {
    throw new TypeError('rate limit logger must have warn(obj, msg) (a pino Logger does)')
  }
  const unauthenticated = checkPolicy('unauthenticated', options.unauthenticated)
  return {
    keyPrefix,
    mcp: checkPolicy('mcp', options.mcp),
    unauthenticated,
    oauth:
      options.oauth === undefined ? unauthenticated : checkPolicy('unauthenticated', options.oauth),
    registration:
      options.registration === undefined
        ? { points: 20, durationSeconds: 3600 }
        : checkPolicy('unauthenticated', options.registration),
  }
}

/** The memory limiter that answers for Redis; counts its uses so recovery can be seen. */
class Insurance extends RateLimiterMemory {
  uses = 0
  readonly #onUse: () => void
  constructor(options: ConstructorParameters<typeof RateLimiterMemory>[0], onUse: () => void) {
    super(options)
    this.#onUse = onUse
  }
  override consume(...args: Parameters<RateLimiterMemory['consume']>) {
    this.uses += 1
    this.#onUse()
    return super.consume(...args)
  }
}

/** Logs a failing limiter at most once a minute, with how many failures went unlogged. */
function errorReporter(name: string, logger: RateLimitLogger | undefined) {
  let last = -Infinity
  let suppressed = 0
  return (error: unknown) => {
    const now = Date.now()
    if (now - last < ERROR_LOG_INTERVAL_MS) {
      suppressed += 1
      return
    }
    last = now
    logger?.warn(
      {
        event: 'rate_limit.error',
        limiter: name,
        error: error instanceof Error ? error.message : String(error),
        suppressed,
      },
      'rate limiter failed: request allowed without a limit (fail open)',
    )
    suppressed = 0
  }
}

function limiter(policy: RateLimitPolicy, keyPrefix: string, link?: RedisLink) {
  const settings = { points: policy.points, duration: policy.durationSeconds, keyPrefix }
  let store: RateLimiterAbstract
  let insurance: Insurance | undefined
  if (link === undefined) {
    store = new RateLimiterMemory(settings)
  } else {
    insurance = new Insurance(settings, link.insuranceUsed)
    store = new RateLimiterRedis({
      ...settings,
      storeClient: link.client,
      insuranceLimiter: insurance,
      // Straight to memory while disconnected, instead of a command that fails anyway.
      rejectIfRedisNotReady: true,
    })
  }
  return { store, insurance }
}

/**
 * Fixed-window limits per key (rate-limiter-flexible: a window opens on a key's first request
 * and the quota is whole again when it ends). In memory by default; with `redis`, one shared
 * count per key across every instance, and a memory limiter of the same settings as insurance:
 * while Redis is unreachable each instance counts alone (so N instances allow up to N × points),
 * and requests keep flowing. Decisions never throw for store trouble: see `decide`.
 */
export function createRateLimiters(options: RateLimitersOptions): RateLimiters {
  const { keyPrefix, mcp, unauthenticated, oauth, registration } = checkOptions(options)
  const link = options.redis ? connectRedis(options.redis.url, options.logger) : undefined
  const logger = options.logger
  const make = (name: string, policy: RateLimitPolicy) => {
    const built = limiter(policy, `${keyPrefix}:${name}`, link)
    const onError = errorReporter(name, logger)
    return async (key: string) => {
      const uses = built.insurance?.uses ?? 0
      let failed = false
      const decision = await decide(
        () => built.store.consume(key),
        policy,
        (error) => {
          failed = true
          onError(error)
        },
      )
      if (link && !failed && built.insurance?.uses === uses) link.redisAnswered()
      return decision
    }
  }
  const mcpConsume = make('mcp', mcp)
  const ipConsume = make('ip', unauthenticated)
  const oauthConsume = make('oauth', oauth)
  const registrationConsume = make('registration', registration)

  return {
    backend: link ? 'redis' : 'memory',
    policies: {
      mcp: rateLimitPolicy(mcp),
      unauthenticated: rateLimitPolicy(unauthenticated),
      oauth: rateLimitPolicy(oauth),
      registration: rateLimitPolicy(registration),
    },
    async consumeMcp(fingerprint) {
      if (typeof fingerprint !== 'string' || !FINGERPRINT.test(fingerprint)) {
        throw new TypeError(
          'consumeMcp takes tokenFingerprint(token) (sha256:<hex>), never the raw token: keys are stored in Redis',
        )
      }
      return mcpConsume(fingerprint)
    },
    consumeIp: (ip) => ipConsume(ipRateLimitKey(String(ip ?? ''))),
    consumeOauth: (ip) => oauthConsume(ipRateLimitKey(String(ip ?? ''))),
    consumeRegistration: (ip) => registrationConsume(ipRateLimitKey(String(ip ?? ''))),
    ready: () => link?.ready ?? Promise.resolve('memory'),
    close: async () => link?.close(),
  }
}
