import { RateLimiterRes } from 'rate-limiter-flexible'
import { afterEach, describe, expect, it, vi } from 'vitest'
import { tokenFingerprint } from '../../auth/protocol/index.js'
import { decide } from './rate-limit-decision.js'
import { redisConnectionOptions } from './rate-limit-redis.js'
import {
  createRateLimiters,
  ipRateLimitKey,
  rateLimitHeaders,
  rateLimitPolicy,
  redactRedisUrl,
  type RateLimitersOptions,
} from './rate-limit.js'

const policy = { points: 3, durationSeconds: 60 }
const memory = (extra: Partial<RateLimitersOptions> = {}) =>
  createRateLimiters({ mcp: policy, unauthenticated: { points: 2, durationSeconds: 30 }, ...extra })
const fp = (n: number) => tokenFingerprint(`token-${n}`)

afterEach(() => void vi.useRealTimers())

describe('memory limiter', () => {
  it('allows `points` requests per key, then refuses with Retry-After', async () => {
    const limiters = memory()
    expect(limiters.backend).toBe('memory')
    await expect(limiters.ready()).resolves.toBe('memory')
    const decisions = []
    for (let i = 0; i < 4; i++) decisions.push(await limiters.consumeMcp(fp(1)))
    expect(decisions.map((d) => [d.allowed, d.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ])
    const refused = decisions[3]!
    expect(refused.limit).toBe(3)
    expect(refused.retryAfterSeconds).toBeGreaterThan(0)
    expect(refused.retryAfterSeconds).toBeLessThanOrEqual(60)
    expect(decisions[0]!.retryAfterSeconds).toBeUndefined()
    await limiters.close()
  })

  it('keeps one budget per token, and separate budgets for MCP and IP', async () => {
    const limiters = memory()
    for (let i = 0; i < 3; i++) await limiters.consumeMcp(fp(1))
    expect((await limiters.consumeMcp(fp(1))).allowed).toBe(false)
    expect((await limiters.consumeMcp(fp(2))).allowed).toBe(true)
    expect(await limiters.consumeIp('192.0.2.1')).toMatchObject({ allowed: true, limit: 2 })
  })

  it('makes the quota whole again when the window ends', async () => {
    vi.useFakeTimers({ toFake: ['Date', 'setTimeout', 'clearTimeout'] })
    const limiters = memory()
    for (let i = 0; i < 2; i++) await limiters.consumeIp('192.0.2.7')
    expect((await limiters.consumeIp('192.0.2.7')).allowed).toBe(false)
    vi.advanceTimersByTime(30_001)
    expect(await limiters.consumeIp('192.0.2.7')).toMatchObject({ allowed: true, remaining: 1 })
  })

  it('counts an IPv6 /64 as one client, and an IPv4-mapped address as its IPv4 address', async () => {
    const limiters = memory()
    await limiters.consumeIp('2001:db8:1:2::a')
    expect((await limiters.consumeIp('2001:db8:1:2:ffff::b')).remaining).toBe(0)
    expect((await limiters.consumeIp('2001:db8:1:2:ffff::c')).allowed).toBe(false)
    expect((await limiters.consumeIp('2001:db8:1:3::a')).allowed).toBe(true)
    await limiters.consumeIp('::ffff:192.0.2.9')
    expect((await limiters.consumeIp('192.0.2.9')).remaining).toBe(0)
  })

  it('refuses a raw token as the MCP key (keys are stored in Redis)', async () => {
    await expect(memory().consumeMcp('eyJhbGciOiJFUzI1NiJ9.e30.sig')).rejects.toThrow(
      'consumeMcp takes tokenFingerprint(token) (sha256:<hex>), never the raw token: keys are stored in Redis',
    )
  })

  it('exposes RateLimit-Policy values', () => {
    expect(memory().policies).toEqual({
      mcp: '3;w=60',
      unauthenticated: '2;w=30',
      oauth: '2;w=30',
      registration: '20;w=3600',
    })
  })

  it('counts the authorization server and registration buckets apart from the IP bucket', async () => {
    const limiters = memory({
      oauth: { points: 1, durationSeconds: 60 },
      registration: { points: 1, durationSeconds: 3600 },
    })
    expect((await limiters.consumeOauth('198.51.100.7')).allowed).toBe(true)
    expect((await limiters.consumeOauth('198.51.100.7')).allowed).toBe(false)
    expect((await limiters.consumeRegistration('198.51.100.7')).allowed).toBe(true)
    expect((await limiters.consumeRegistration('198.51.100.7')).allowed).toBe(false)
    expect((await limiters.consumeIp('198.51.100.7')).allowed).toBe(true)
    expect(limiters.policies.registration).toBe('1;w=3600')
  })
})

describe('options are checked when the limiters are built', () => {
  const base: RateLimitersOptions = { mcp: policy, unauthenticated: policy }
  it.each([
    [
      { ...base, mcp: { points: 0, durationSeconds: 60 } },
      'rate limit mcp.points must be an integer from 1 to 1000000000 (requests per window), got 0; check rate_limit.mcp_per_minute',
    ],
    [
      { ...base, unauthenticated: { points: 1.5, durationSeconds: 60 } },
      'rate limit unauthenticated.points must be an integer from 1 to 1000000000 (requests per window), got 1.5; check rate_limit.ip_per_minute',
    ],
    [
      { ...base, mcp: { points: 5, durationSeconds: 0 } },
      'rate limit mcp.durationSeconds must be an integer from 1 to 86400 (window length in seconds), got 0',
    ],
    [
      { ...base, keyPrefix: 'has space' },
      'rate limit keyPrefix must be 1 to 100 letters, digits or _ : . -; leave it out for the default mcp-pa:rl',
    ],
    [
      { ...base, redis: { url: '' } },
      'rate limit redis.url must be a redis:// URL; leave redis out to count in memory',
    ],
    [
      { ...base, redis: { url: 'http://:hunter2@cache:6379' } },
      'rate limit redis.url must use redis: or rediss:, not http:; give redis://[user:password@]host[:port][/db] or rediss://… for TLS',
    ],
    [
      { ...base, redis: { url: 'redis://:hunter2@cache:6379/0?commandTimeout=60000' } },
      "rate limit redis.url must not carry a query or fragment (it would override the limiter's timeouts); give redis://[user:password@]host[:port][/db] or rediss://… for TLS",
    ],
    [
      { ...base, redis: { url: 'redis://:hunter2@cache:6379/x' } },
      'rate limit redis.url path must be a database number such as /0; give redis://[user:password@]host[:port][/db] or rediss://… for TLS',
    ],
    [
      { ...base, redis: { url: 'not a url hunter2' } },
      'rate limit redis.url is not a URL (value not shown); give redis://[user:password@]host[:port][/db] or rediss://… for TLS',
    ],
    [
      { ...base, logger: {} as never },
      'rate limit logger must have warn(obj, msg) (a pino Logger does)',
    ],
  ])('%j', (options, message) => {
    expect(() => createRateLimiters(options as RateLimitersOptions)).toThrow(new TypeError(message))
  })
})

describe('Redis URLs', () => {
  it.each([
    ['redis://:s3cret@cache.internal:6380/2', 'redis://[redacted]@cache.internal:6380/2'],
    ['redis://alice:s3cret@cache.internal', 'redis://[redacted]@cache.internal'],
    ['rediss://tokenonly@cache.example:6379', 'rediss://[redacted]@cache.example:6379'],
    ['redis://127.0.0.1:6379', 'redis://127.0.0.1:6379'],
    ['redis://[::1]:6379/0?password=s3cret', 'redis://[::1]:6379/0'],
    ['s3cret', 'redis (URL not shown)'],
  ])('redactRedisUrl(%j) → %j', (url, shown) => {
    expect(redactRedisUrl(url)).toBe(shown)
    expect(redactRedisUrl(url)).not.toContain('s3cret')
  })

  it('turns a URL into ioredis options with short timeouts and no offline queue', () => {
    expect(redisConnectionOptions('rediss://alice:p%40ss@cache.example:6380/3')).toMatchObject({
      host: 'cache.example',
      port: 6380,
      db: 3,
      username: 'alice',
      password: 'p@ss',
      tls: { servername: 'cache.example' },
      enableOfflineQueue: false,
      maxRetriesPerRequest: 1,
    })
    expect(redisConnectionOptions('redis://[::1]')).toMatchObject({
      host: '::1',
      port: 6379,
      db: 0,
    })
  })
})

describe('ipRateLimitKey', () => {
  it.each([
    ['192.0.2.1', '192.0.2.1'],
    ['::ffff:192.0.2.1', '192.0.2.1'],
    ['::ffff:c000:201', '192.0.2.1'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['2001:DB8:a:b:c:d:e:f', '2001:db8:a:b::/64'],
    ['[2001:db8:a:b::1]', '2001:db8:a:b::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['', 'unknown'],
    ['not-an-ip', 'unknown'],
  ])('%j → %j', (ip, key) => {
    expect(ipRateLimitKey(ip)).toBe(key)
  })
})

describe('decide: outcomes of rate-limiter-flexible mapped to decisions', () => {
  const onError = vi.fn()
  afterEach(() => void onError.mockReset())

  it('resolved → allowed', async () => {
    const res = new RateLimiterRes(2, 1500, 1, true)
    await expect(decide(async () => res, policy, onError)).resolves.toEqual({
      allowed: true,
      limit: 3,
      remaining: 2,
      resetSeconds: 2,
    })
  })

  it('rejected with RateLimiterRes → refused, Retry-After at least 1 s', async () => {
    const over = new RateLimiterRes(0, 200, 4, false)
    await expect(decide(() => Promise.reject(over), policy, onError)).resolves.toEqual({
      allowed: false,
      limit: 3,
      remaining: 0,
      resetSeconds: 1,
      retryAfterSeconds: 1,
    })
    expect(onError).not.toHaveBeenCalled()
  })

  it.each([[new Error('READONLY You cannot write against a read only replica')], ['a string']])(
    'rejected with %j (store failure without insurance) → allowed (fail open), reported',
    async (error) => {
      const decision = await decide(() => Promise.reject(error), policy, onError)
      expect(decision).toEqual({ allowed: true, limit: 3, remaining: 2, resetSeconds: 60 })
      expect(onError).toHaveBeenCalledWith(error)
    },
  )
})

describe('rateLimitHeaders (draft-ietf-httpapi-ratelimit-headers)', () => {
  it('allowed: limit, remaining and reset, no Retry-After', () => {
    expect(
      rateLimitHeaders({ allowed: true, limit: 600, remaining: 599, resetSeconds: 60 }),
    ).toEqual({
      'RateLimit-Limit': '600',
      'RateLimit-Remaining': '599',
      'RateLimit-Reset': '60',
    })
  })

  it('refused: Retry-After too, integers only', () => {
    expect(
      rateLimitHeaders({
        allowed: false,
        limit: 5,
        remaining: 0,
        resetSeconds: 12.2,
        retryAfterSeconds: 12.2,
      }),
    ).toEqual({
      'RateLimit-Limit': '5',
      'RateLimit-Remaining': '0',
      'RateLimit-Reset': '13',
      'Retry-After': '13',
    })
  })

  it('policy: quota;w=window', () => {
    expect(rateLimitPolicy({ points: 600, durationSeconds: 60 })).toBe('600;w=60')
  })
})
