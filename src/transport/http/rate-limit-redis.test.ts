import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { Redis } from 'ioredis'
import { afterAll, describe, expect, it } from 'vitest'
import { tokenFingerprint } from '../../auth/protocol/index.js'
import { createRateLimiters, redactRedisUrl, type RateLimiters } from './rate-limit.js'

// The shared-budget suite needs a Redis server, and the insurance suite runs private
// `redis-server` processes that it can kill. A developer without them still sees in the report
// that these suites did not run, and why; CI fails instead (same rule as the PostgreSQL suites).
const sharedUrl = process.env.MCP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const redisServer = process.env.MCP_TEST_REDIS_SERVER ?? 'redis-server'

async function probe(): Promise<string | undefined> {
  const client = new Redis(sharedUrl, {
    lazyConnect: true,
    connectTimeout: 2000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  })
  client.on('error', () => undefined)
  try {
    await client.connect()
    await client.ping()
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    client.disconnect()
  }
}

const unreachable = await probe()
const where = redactRedisUrl(sharedUrl)
const version = spawnSync(redisServer, ['--version'], { encoding: 'utf8' })
const noServer = version.error?.message
if (process.env.CI && unreachable !== undefined) {
  throw new Error(
    `Redis at ${where} is unreachable (${unreachable}); CI needs it: set MCP_TEST_REDIS_URL`,
  )
}
if (process.env.CI && noServer !== undefined) {
  throw new Error(
    `${redisServer} cannot be run (${noServer}); CI needs it: set MCP_TEST_REDIS_SERVER`,
  )
}

/** A logger that keeps every line as the JSON a pino sink would write. */
function captureLog() {
  const lines: { level: string; text: string }[] = []
  const record = (level: string) => (obj: object, msg: string) =>
    void lines.push({ level, text: JSON.stringify({ ...obj, msg }) })
  return { lines, logger: { warn: record('warn'), info: record('info') } }
}

const fp = (name: string) => tokenFingerprint(`${name}-${randomBytes(8).toString('hex')}`)
const policy = (points: number) => ({ points, durationSeconds: 60 })
const opened: RateLimiters[] = []
const prefixes: string[] = []
const open = (url: string, points: number, extra: { keyPrefix?: string; logger?: never } = {}) => {
  const keyPrefix = extra.keyPrefix ?? `mcp-pa-test:${randomBytes(6).toString('hex')}`
  prefixes.push(keyPrefix)
  const limiters = createRateLimiters({
    redis: { url },
    mcp: policy(points),
    unauthenticated: policy(points),
    keyPrefix,
    ...(extra.logger ? { logger: extra.logger } : {}),
  })
  opened.push(limiters)
  return limiters
}

afterAll(async () => {
  await Promise.all(opened.map((limiters) => limiters.close()))
  if (unreachable !== undefined) return
  const admin = new Redis(sharedUrl)
  for (const prefix of prefixes) {
    const keys = await admin.keys(`${prefix}:*`)
    if (keys.length > 0) await admin.del(...keys)
  }
  await admin.quit()
})

if (unreachable !== undefined) {
  describe('rate limits shared through Redis', () => {
    it.skip(`skipped: Redis at ${where} is unreachable (${unreachable}); set MCP_TEST_REDIS_URL`, () => {})
  })
} else {
  describe('rate limits shared through Redis', () => {
    it('two instances on one Redis share one budget per token', async () => {
      const keyPrefix = `mcp-pa-test:${randomBytes(6).toString('hex')}`
      const a = open(sharedUrl, 5, { keyPrefix })
      const b = open(sharedUrl, 5, { keyPrefix })
      expect(a.backend).toBe('redis')
      expect(await Promise.all([a.ready(), b.ready()])).toEqual(['redis', 'redis'])
      const token = fp('shared')
      const remaining = []
      for (const limiters of [a, a, a, b, b]) {
        const decision = await limiters.consumeMcp(token)
        expect(decision.allowed).toBe(true)
        remaining.push(decision.remaining)
      }
      expect(remaining).toEqual([4, 3, 2, 1, 0])
      for (const limiters of [a, b]) {
        const refused = await limiters.consumeMcp(token)
        expect(refused).toMatchObject({ allowed: false, remaining: 0, limit: 5 })
        expect(refused.retryAfterSeconds).toBeGreaterThan(0)
      }
      const admin = new Redis(sharedUrl)
      expect(await admin.get(`${keyPrefix}:mcp:${token}`)).toBe('7')
      await admin.quit()
    })

    it('shares the per-IP budget too, keyed by /64 for IPv6', async () => {
      const keyPrefix = `mcp-pa-test:${randomBytes(6).toString('hex')}`
      const [a, b] = [open(sharedUrl, 2, { keyPrefix }), open(sharedUrl, 2, { keyPrefix })]
      await Promise.all([a.ready(), b.ready()])
      expect((await a.consumeIp('2001:db8:5:6::1')).allowed).toBe(true)
      expect((await b.consumeIp('2001:db8:5:6::2')).allowed).toBe(true)
      expect((await a.consumeIp('2001:db8:5:6::3')).allowed).toBe(false)
    })

    it('answers from memory, quietly, while the first connection is still being made', async () => {
      const { lines, logger } = captureLog()
      const limiters = open(sharedUrl, 5, { logger: logger as never })
      expect((await limiters.consumeMcp(fp('early'))).allowed).toBe(true)
      expect(await limiters.ready()).toBe('redis')
      expect(lines).toEqual([])
    })
  })
}

/** A port on 127.0.0.1 that nothing listens on (just now). */
async function freePort(): Promise<number> {
  const server = createServer().listen(0, '127.0.0.1')
  await once(server, 'listening')
  const address = server.address()
  server.close()
  if (address === null || typeof address === 'string') throw new Error('no port')
  return address.port
}

const children: ChildProcess[] = []
afterAll(() => {
  for (const child of children) if (child.exitCode === null) child.kill('SIGKILL')
})

/** Starts a throwaway redis-server that requires `password`, and waits until it answers. */
async function startRedis(port: number, password: string): Promise<ChildProcess> {
  const args = ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']
  const child = spawn(redisServer, [...args, '--dir', tmpdir(), '--requirepass', password], {
    stdio: 'ignore',
  })
  children.push(child)
  for (let attempt = 0; attempt < 100; attempt++) {
    const client = new Redis({ port, password, lazyConnect: true, retryStrategy: () => null })
    client.on('error', () => undefined)
    try {
      await client.connect()
      await client.ping()
      return child
    } catch {
      await new Promise((resolve) => setTimeout(resolve, 50))
    } finally {
      client.disconnect()
    }
  }
  throw new Error(`redis-server on port ${port} did not start`)
}

async function waitFor(condition: () => boolean, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time')
    await new Promise((resolve) => setTimeout(resolve, 25))
  }
}

if (noServer !== undefined) {
  describe('memory insurance when Redis goes away', () => {
    it.skip(`skipped: ${redisServer} cannot be run (${noServer}); set MCP_TEST_REDIS_SERVER`, () => {})
  })
} else {
  describe('memory insurance when Redis goes away', () => {
    it('keeps deciding in memory after Redis dies, warns once, says when it is back', async () => {
      const port = await freePort()
      const password = randomBytes(18).toString('base64url')
      let server = await startRedis(port, password)
      const { lines, logger } = captureLog()
      const limiters = open(`redis://:${password}@127.0.0.1:${port}`, 3, {
        logger: logger as never,
      })
      expect(await limiters.ready()).toBe('redis')
      const token = fp('insured')
      expect((await limiters.consumeMcp(token)).remaining).toBe(2)
      expect((await limiters.consumeMcp(token)).remaining).toBe(1)

      server.kill('SIGKILL')
      await once(server, 'exit')
      // Memory starts its own count: each instance allows `points` on its own while Redis is away.
      const during = []
      for (let i = 0; i < 4; i++) during.push((await limiters.consumeMcp(token)).allowed)
      expect(during).toEqual([true, true, true, false])
      await new Promise((resolve) => setTimeout(resolve, 600)) // a few reconnect attempts
      expect((await limiters.consumeIp('192.0.2.1')).allowed).toBe(true)
      expect(lines.filter((l) => l.level === 'warn')).toHaveLength(1)
      expect(lines[0]!.text).toContain(`"redis":"redis://[redacted]@127.0.0.1:${port}"`)

      server = await startRedis(port, password)
      await waitFor(() => lines.some((l) => l.level === 'info'))
      expect(await limiters.consumeMcp(fp('after'))).toMatchObject({ allowed: true, remaining: 2 })
      expect(lines.map((l) => l.level)).toEqual(['warn', 'info'])
      expect(lines.map((l) => l.text).join('\n')).not.toContain(password)
      await limiters.close()
      server.kill('SIGKILL')
    })

    it('works from memory when nothing listens at the Redis URL, and never logs the password', async () => {
      const port = await freePort()
      const password = randomBytes(18).toString('base64url')
      const { lines, logger } = captureLog()
      const limiters = open(`redis://:${password}@127.0.0.1:${port}`, 2, {
        logger: logger as never,
      })
      expect(await limiters.ready()).toBe('memory')
      const token = fp('nowhere')
      const allowed = []
      for (let i = 0; i < 3; i++) allowed.push((await limiters.consumeMcp(token)).allowed)
      expect(allowed).toEqual([true, true, false])
      await new Promise((resolve) => setTimeout(resolve, 600))
      expect(lines).toHaveLength(1)
      expect(JSON.parse(lines[0]!.text)).toMatchObject({
        event: 'rate_limit.redis_unavailable',
        redis: `redis://[redacted]@127.0.0.1:${port}`,
      })
      expect(lines[0]!.text).not.toContain(password)
    })
  })
}
