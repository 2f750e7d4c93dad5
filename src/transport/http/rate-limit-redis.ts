import { Redis, type RedisOptions } from 'ioredis'

/** Where the rate limiter reports a switch between Redis and memory. pino's Logger fits. */
export interface RateLimitLogger {
  warn(obj: object, msg: string): void
  info?(obj: object, msg: string): void
}

/**
 * Connection settings. A rate-limit decision is on the path of every request, so nothing
 * waits for Redis: no offline queue (a command while disconnected fails at once), short
 * timeouts, one retry per command, and reconnection in the background with a backoff that
 * settles at one attempt every 5 s. Each failure is answered by the in-memory insurance. A
 * command that timed out may still have counted in Redis: the request is then counted twice
 * (Redis and memory), which errs on the side of the limit.
 */
const CONNECTION: RedisOptions = {
  enableOfflineQueue: false,
  connectTimeout: 2_000,
  commandTimeout: 250,
  maxRetriesPerRequest: 1,
  retryStrategy: (attempt: number) => Math.min(attempt * 250, 5_000),
  // Commands of one tick go out in one write: under a burst of thousands of requests this
  // keeps each decision inside `commandTimeout` (measured: 10k at once timed out without it).
  enableAutoPipelining: true,
  connectionName: 'mcp-pa-rate-limit',
}

const SHOWN_IF_UNPARSEABLE = 'redis (URL not shown)'

/**
 * A Redis URL for logs and error messages: scheme, host, port and database only. The whole
 * userinfo (user and password: some providers put the key in the user part) becomes
 * `[redacted]`, and the query is left out.
 */
export function redactRedisUrl(url: string): string {
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return SHOWN_IF_UNPARSEABLE
  }
  const userinfo = parsed.username !== '' || parsed.password !== '' ? '[redacted]@' : ''
  const path = parsed.pathname === '/' ? '' : parsed.pathname
  return `${parsed.protocol}//${userinfo}${parsed.host}${path}`
}

/**
 * ioredis options from a `redis://` or `rediss://` URL, checked here rather than by ioredis:
 * ioredis lets query parameters override explicit options, which would undo the timeouts
 * above, so a query is refused. Messages never repeat the URL.
 */
export function redisConnectionOptions(url: string): RedisOptions {
  const fix = 'give redis://[user:password@]host[:port][/db] or rediss://… for TLS'
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    throw new TypeError(`rate limit redis.url is not a URL (value not shown); ${fix}`)
  }
  if (parsed.protocol !== 'redis:' && parsed.protocol !== 'rediss:') {
    throw new TypeError(
      `rate limit redis.url must use redis: or rediss:, not ${parsed.protocol}; ${fix}`,
    )
  }
  if (parsed.hostname === '') {
    throw new TypeError(`rate limit redis.url has no host; ${fix}`)
  }
  if (parsed.search !== '' || parsed.hash !== '') {
    throw new TypeError(
      `rate limit redis.url must not carry a query or fragment (it would override the limiter's timeouts); ${fix}`,
    )
  }
  const db = parsed.pathname === '' || parsed.pathname === '/' ? '0' : parsed.pathname.slice(1)
  if (!/^\d{1,5}$/.test(db)) {
    throw new TypeError(`rate limit redis.url path must be a database number such as /0; ${fix}`)
  }
  const host = parsed.hostname.replace(/^\[(.*)\]$/, '$1')
  return {
    ...CONNECTION,
    host,
    port: parsed.port === '' ? 6379 : Number(parsed.port),
    db: Number(db),
    ...(parsed.username === '' ? {} : { username: decodeURIComponent(parsed.username) }),
    ...(parsed.password === '' ? {} : { password: decodeURIComponent(parsed.password) }),
    ...(parsed.protocol === 'rediss:' ? { tls: { servername: host } } : {}),
  }
}

/** A Redis connection and what the limiters tell it about where decisions were made. */
export interface RedisLink {
  client: Redis
  /** Settles once the first connection attempt has: `redis` if connected, else `memory`. */
  ready: Promise<'redis' | 'memory'>
  /** A decision came from the memory insurance (Redis failed or was not connected). */
  insuranceUsed(): void
  /** A decision came from Redis. */
  redisAnswered(): void
  close(): Promise<void>
}

/**
 * Connects to Redis and logs each switch once: one warning when decisions move to memory
 * (connection lost, unreachable at startup, or a command failed), one info when Redis answers
 * again. Until the first connection attempt settles, memory decisions are expected and quiet.
 */
export function connectRedis(url: string, logger?: RateLimitLogger): RedisLink {
  const options = redisConnectionOptions(url)
  const where = redactRedisUrl(url)
  const password = options.password
  const scrub = (text: string) => (password ? text.split(password).join('[redacted]') : text)
  let state: 'starting' | 'redis' | 'memory' | 'closed' = 'starting'
  let settle: (value: 'redis' | 'memory') => void = () => undefined
  const ready = new Promise<'redis' | 'memory'>((resolve) => (settle = resolve))

  const toMemory = (reason: string) => {
    if (state === 'memory' || state === 'closed') return
    state = 'memory'
    settle('memory')
    logger?.warn(
      { event: 'rate_limit.redis_unavailable', redis: where, reason: scrub(reason) },
      'Redis unavailable: rate limits continue in memory, per instance, until it is back',
    )
  }
  const toRedis = () => {
    if (state === 'redis' || state === 'closed') return
    const was = state
    state = 'redis'
    settle('redis')
    if (was === 'memory') {
      logger?.info?.(
        { event: 'rate_limit.redis_restored', redis: where },
        'Redis is back: rate limits are shared between instances again',
      )
    }
  }

  const client = new Redis(options)
  client.on('ready', toRedis)
  // A listener is required: without one ioredis prints every error to the console.
  client.on('error', (error: Error) => toMemory(error.message))
  client.on('close', () => toMemory('connection closed'))

  return {
    client,
    ready,
    insuranceUsed: () => {
      if (state === 'redis') toMemory('a Redis command failed or timed out')
    },
    redisAnswered: toRedis,
    async close() {
      state = 'closed'
      settle('memory')
      if (client.status === 'ready') await client.quit().catch(() => client.disconnect())
      else client.disconnect()
    },
  }
}
