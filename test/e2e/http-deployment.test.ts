import { randomBytes } from 'node:crypto'
import { mkdtemp, readFile, stat, writeFile } from 'node:fs/promises'
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect as tcpConnect } from 'node:net'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawnHttpServer, type SpawnedHttpServer } from '../helpers/http-server.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { call, tempHome, textOf } from '../helpers/spawn-client.js'
import { startTestIdp, type TestIdp } from '../support/oidc-idp.js'

/**
 * HTTP mode deployed the ways the guide describes, with real parts only: token introspection
 * against a real IdP with its client secret from the environment, PostgreSQL, and two
 * instances sharing one Redis rate limit. Every server is the built CLI, stopped by its PID.
 * HTTPS and the refusals at start are in http-tls.test.ts.
 */

const ALL = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']
const PG_URL = process.env.MCP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
const REDIS_URL = process.env.MCP_TEST_REDIS_URL ?? 'redis://127.0.0.1:6379'
const sentinel = logSentinel(import.meta.filename)

async function pgReachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: PG_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

function redisReachable(): Promise<boolean> {
  const { hostname, port } = new URL(REDIS_URL)
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: hostname, port: Number(port || 6379), timeout: 2000 })
    const done = (ok: boolean) => () => {
      socket.destroy()
      resolve(ok)
    }
    socket.once('connect', done(true)).once('error', done(false)).once('timeout', done(false))
  })
}

const [postgres, redis] = await Promise.all([pgReachable(), redisReachable()])
if ((!postgres || !redis) && process.env.CI) {
  throw new Error(`CI must start PostgreSQL (${PG_URL}) and Redis (${REDIS_URL}) (see .ci/run)`)
}

let idp: TestIdp
let home: string
let cleanup: () => Promise<void>
const servers: SpawnedHttpServer[] = []

beforeAll(async () => {
  idp = await startTestIdp()
  sentinel.secret(idp.introspectionClient.clientSecret)
  ;({ home, cleanup } = await tempHome())
})
afterAll(async () => {
  const codes = await Promise.all(servers.map((s) => s.stop()))
  expect(codes).toEqual(servers.map(() => 0))
  await idp?.close()
  await cleanup?.()
  sentinel.assertClean()
})

/** The external IdP through the environment (JWT verification). */
const viaEnv = () => ({ MCP_OAUTH_PROVIDER: 'external', MCP_OAUTH_ISSUER: idp.issuer })

/** A server with a HOME of its own and, when given, its config file (0600) in that HOME. */
async function start(options: { env?: Record<string, string>; config?: object }) {
  const dir = await mkdtemp(join(home, 'server-'))
  const configPath = join(dir, 'mcp-pa.json')
  if (options.config !== undefined) {
    await writeFile(configPath, JSON.stringify(options.config, null, 2), { mode: 0o600 })
  }
  const server = await spawnHttpServer({
    home: dir,
    env: options.env,
    args: options.config === undefined ? [] : ['--config', configPath],
    onLog: (text) => sentinel.log(text),
  })
  servers.push(server)
  return Object.assign(server, { configPath })
}

const token = async (subject: string, resource: string, format: 'jwt' | 'opaque' = 'jwt') =>
  sentinel.secret(await idp.tokenFor({ subject, scopes: ALL, resource, format }))

async function connect(url: string, bearer: string) {
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    authProvider: { token: async () => bearer },
  })
  const client = new Client({ name: 'mcp-pa-deployment-e2e', version: '1.0.0' })
  await client.connect(transport)
  return client
}

interface Answer {
  status: number
  headers: IncomingHttpHeaders
  body: any
}

/** One JSON-RPC POST through node:http (so the Host header can be chosen). */
function post(url: string, message: object, headers: Record<string, string> = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
        ...headers,
      },
    })
    req.on('error', reject)
    req.on('response', (res) => {
      let text = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (text += chunk))
      res.on('end', () => {
        const data = text.startsWith('{') ? text : /^data: (.*)$/m.exec(text)?.[1]
        resolve({
          status: res.statusCode ?? 0,
          headers: res.headers,
          body: data && JSON.parse(data),
        })
      })
    })
    req.end(JSON.stringify({ jsonrpc: '2.0', ...message }))
  })
}

const toolsList = (url: string, bearer?: string, headers: Record<string, string> = {}) =>
  post(
    url,
    { id: 1, method: 'tools/list', params: {} },
    {
      ...(bearer === undefined ? {} : { authorization: `Bearer ${bearer}` }),
      ...headers,
    },
  )

/** `metric{labels} value` lines of a Prometheus exposition, labels parsed. */
async function samples(origin: string, name: string) {
  const response = await fetch(`${origin}/metrics`)
  expect(response.status).toBe(200)
  expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/)
  const text = await response.text()
  return [...text.matchAll(new RegExp(`^${name}\\{([^}]*)\\} (\\S+)$`, 'gm'))].map((m) => ({
    labels: Object.fromEntries([...m[1]!.matchAll(/(\w+)="([^"]*)"/g)].map((l) => [l[1], l[2]])),
    value: Number(m[2]),
  }))
}

describe('token introspection (RFC 7662), client secret from an environment variable', () => {
  const SECRET_VAR = 'MCP_PA_TEST_INTROSPECTION_SECRET'
  let server: SpawnedHttpServer & { configPath: string }
  let challenge: string

  beforeAll(async () => {
    server = await start({
      env: { [SECRET_VAR]: idp.introspectionClient.clientSecret },
      config: {
        mode: 'http',
        authentication: {
          provider: 'external',
          issuer: idp.issuer,
          token_verification: 'introspection',
          introspection_endpoint: idp.introspectionEndpoint,
          introspection_client_id: idp.introspectionClient.clientId,
          introspection_client_secret: `env:${SECRET_VAR}`,
        },
      },
    })
    const metadata = `${server.origin}/.well-known/oauth-protected-resource/mcp`
    challenge = `Bearer resource_metadata="${metadata}", scope="${ALL.join(' ')}", error="invalid_token", error_description="the access token is invalid or expired"`
  })

  it('reads the configuration from a 0600 file that holds only a reference to the secret', async () => {
    expect((await stat(server.configPath)).mode & 0o777).toBe(0o600)
    const text = await readFile(server.configPath, 'utf8')
    expect(text).toContain(`"introspection_client_secret": "env:${SECRET_VAR}"`)
    expect(text).not.toContain(idp.introspectionClient.clientSecret)
    expect(server.stderr()).toContain(
      `  auth:      OAuth 2.1 bearer tokens from ${idp.issuer} (introspection)\n`,
    )
  })

  it('an active opaque token for this resource lists the tools, writes and reads a memory', async () => {
    const opaque = await token('introspected-user', server.url, 'opaque')
    expect(opaque).not.toMatch(/^ey/) // not a JWT: only introspection can verify it
    const listed = await toolsList(server.url, opaque)
    expect(listed.status).toBe(200)
    expect(listed.body.result.tools.map((t: { name: string }) => t.name)).toContain('memory_save')
    const client = await connect(server.url, opaque)
    try {
      const saved = await call(client, 'memory_save', { content: 'checked by introspection' })
      expect(saved.isError).toBeFalsy()
      const got = await call(client, 'memory_get', { id: saved.structuredContent?.memory.id })
      expect(got.structuredContent?.memory.content).toBe('checked by introspection')
    } finally {
      await client.close()
    }
  })

  const refused: [string, () => Promise<string>][] = [
    ['an unknown (garbage) opaque token', async () => randomBytes(32).toString('base64url')],
    [
      'an opaque token for another resource',
      () => token('introspected-user', 'https://other.example/mcp', 'opaque'),
    ],
    [
      'a revoked opaque token',
      async () => {
        const revoked = await token('introspected-user', server.url, 'opaque')
        await idp.revoke(revoked)
        return revoked
      },
    ],
  ]
  it.each(refused)('%s → 401 invalid_token with resource_metadata', async (_name, make) => {
    const bad = sentinel.secret(await make())
    const response = await toolsList(server.url, bad)
    expect(response.status).toBe(401)
    expect(response.headers['www-authenticate']).toBe(challenge)
    expect(response.headers['cache-control']).toBe('no-store')
    expect(response.body).toEqual({
      error: 'invalid_token',
      error_description: 'the access token is invalid or expired',
    })
  })

  it('never writes the client secret or a token to its log', () => {
    expect(server.stderr()).toMatch(/"type":"auth.token_accepted"/)
    sentinel.assertClean()
  })
})

describe.skipIf(!postgres)(
  'PostgreSQL over HTTP (skipped when PostgreSQL is not reachable locally)',
  () => {
    const database = `mcp_pa_http_${randomBytes(6).toString('hex')}`
    const admin = async (sql: string) => {
      const client = new pg.Client({ connectionString: PG_URL })
      await client.connect()
      try {
        await client.query(sql)
      } finally {
        await client.end()
      }
    }
    let server: SpawnedHttpServer
    beforeAll(async () => {
      await admin(`CREATE DATABASE ${database}`)
      const url = new URL(PG_URL)
      url.pathname = `/${database}`
      server = await start({
        env: { ...viaEnv(), MCP_DATABASE_TYPE: 'postgresql', MCP_DATABASE_URL: url.href },
      })
    })
    afterAll(async () => {
      expect(await server?.stop()).toBe(0)
      await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    })

    it('is ready on its own database', async () => {
      expect(server.stderr()).toContain(
        `  database:  postgresql://postgres@127.0.0.1:5432/${database}\n`,
      )
      const ready = await fetch(`${server.origin}/readyz`)
      expect(ready.status).toBe(200)
      expect(await ready.json()).toEqual({ status: 'ready' })
    })

    it("user A cannot list, read, update, delete or search B's items, even with B's ids; /metrics counts the calls", async () => {
      const alice = await connect(server.url, await token('pg-alice', server.url))
      const bob = await connect(server.url, await token('pg-bob', server.url))
      let calls = 0
      const tool = (client: Client, name: string, args: Record<string, unknown>) => {
        calls += 1
        return call(client, name, args)
      }
      try {
        const mine = (await tool(alice, 'memory_save', { content: 'alice likes quokkas' }))
          .structuredContent?.memory
        const myTask = (await tool(alice, 'task_create', { title: 'alice feeds quokkas' }))
          .structuredContent?.task
        const memory = (await tool(bob, 'memory_save', { content: 'bob secret quokka plan' }))
          .structuredContent?.memory
        const task = (await tool(bob, 'task_create', { title: 'bob secret quokka task' }))
          .structuredContent?.task
        const ids = (list: { id: string }[]) => list.map((item) => item.id)
        expect(ids((await tool(alice, 'memory_list', {})).structuredContent?.memories)).toEqual([
          mine.id,
        ])
        expect(ids((await tool(alice, 'task_list', {})).structuredContent?.tasks)).toEqual([
          myTask.id,
        ])
        const found = await tool(alice, 'memory_search', { query: 'quokka' })
        expect(found.structuredContent?.results.map((r: any) => r.memory.id)).toEqual([mine.id])
        for (const [name, args] of [
          ['memory_get', { id: memory.id }],
          ['memory_update', { id: memory.id, content: 'alice was here' }],
          ['memory_delete', { id: memory.id }],
          ['task_update', { id: task.id, title: 'alice was here' }],
          ['task_complete', { id: task.id }],
          ['task_delete', { id: task.id }],
        ] as const) {
          const result = await tool(alice, name, args)
          expect(result.isError, name).toBe(true)
          expect(textOf(result), name).toMatch(/no (memory|task) with id/)
        }
        const still = await tool(bob, 'memory_get', { id: memory.id })
        expect(still.structuredContent?.memory.content).toBe('bob secret quokka plan')
        const tasks = (await tool(bob, 'task_list', {})).structuredContent?.tasks
        expect(tasks).toEqual([
          expect.objectContaining({ id: task.id, title: 'bob secret quokka task', status: 'open' }),
        ])
      } finally {
        await alice.close()
        await bob.close()
      }
      const requests = await samples(server.origin, 'mcp_pa_http_requests_total')
      const count = (route: string, method: string, status: string) =>
        requests.find(
          (s) =>
            s.labels.route === route && s.labels.method === method && s.labels.status === status,
        )?.value
      expect(count('/readyz', 'GET', '200')).toBe(1)
      expect(count('/mcp', 'POST', '200')).toBeGreaterThanOrEqual(calls)
    })
  },
)

describe.skipIf(!redis)(
  'two instances share one Redis rate limit (skipped without Redis locally)',
  () => {
    const PUBLIC = 'http://127.0.0.1:9'
    let a: SpawnedHttpServer
    let b: SpawnedHttpServer
    let c: SpawnedHttpServer
    let d: SpawnedHttpServer
    let bearer: string
    const mcp = (s: SpawnedHttpServer) => `${s.listening}/mcp`

    beforeAll(async () => {
      // Both behind one load balancer: one public URL, whose /mcp is the tokens' audience.
      const shared = {
        mode: 'http',
        server: { public_url: PUBLIC },
        rate_limit: { mcp_per_minute: 5 },
        authentication: { provider: 'external', issuer: idp.issuer },
      }
      ;[a, b, c, d] = await Promise.all([
        start({ env: { MCP_REDIS_URL: REDIS_URL }, config: shared }),
        start({ env: { MCP_REDIS_URL: REDIS_URL }, config: shared }),
        start({ config: shared }),
        start({ config: shared }),
      ])
      bearer = await token(`rate-${randomBytes(4).toString('hex')}`, `${PUBLIC}/mcp`)
    })

    it('every instance serves the public URL as its resource, on its own loopback port', () => {
      for (const s of [a, b, c, d]) {
        expect(s.url).toBe(`${PUBLIC}/mcp`)
        expect(s.listening).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/)
      }
      expect(new Set([a, b, c, d].map((s) => s.listening)).size).toBe(4)
      for (const s of [a, b])
        expect(s.stderr()).toContain('5/min per token, 120/min per IP (redis)')
      for (const s of [c, d])
        expect(s.stderr()).toContain('5/min per token, 120/min per IP (memory)')
    })

    it('a foreign Host is refused before any budget is spent', async () => {
      const response = await toolsList(mcp(a), bearer, { host: 'evil.example' })
      expect(response.status).toBe(403)
      expect(response.body).toEqual({
        jsonrpc: '2.0',
        id: null,
        error: {
          code: -32000,
          message: 'Forbidden: unknown Host (add it to server.allowed_hosts if it is yours)',
        },
      })
    })

    it('one token: 3 calls on A and 2 on B count down one budget of 5; the 6th on either is 429', async () => {
      const port = (s: SpawnedHttpServer) => new URL(s.listening).port
      const plan: [SpawnedHttpServer, string][] = [
        [a, `127.0.0.1:${port(a)}`],
        [a, `localhost:${port(a)}`],
        [b, `localhost:${port(b)}`],
        [a, `127.0.0.1:${port(a)}`],
        [b, `127.0.0.1:${port(b)}`],
      ]
      const remaining: string[] = []
      for (const [server, host] of plan) {
        const response = await toolsList(mcp(server), bearer, { host })
        expect(response.status, host).toBe(200)
        expect(response.body.result.tools).toHaveLength(11)
        expect(response.headers['ratelimit-limit']).toBe('5')
        expect(response.headers['ratelimit-policy']).toBe('5;w=60')
        remaining.push(String(response.headers['ratelimit-remaining']))
      }
      expect(remaining).toEqual(['4', '3', '2', '1', '0'])
      for (const server of [a, b]) {
        const response = await toolsList(mcp(server), bearer)
        expect(response.status).toBe(429)
        expect(response.headers['retry-after']).toMatch(/^\d+$/)
        expect(Number(response.headers['retry-after'])).toBeGreaterThanOrEqual(1)
        expect(Number(response.headers['retry-after'])).toBeLessThanOrEqual(60)
        expect(response.headers['ratelimit-remaining']).toBe('0')
        expect(response.headers['ratelimit-policy']).toBe('5;w=60')
        expect(response.headers['content-type']).toBe('application/json')
        expect(response.body).toEqual({
          jsonrpc: '2.0',
          id: null,
          error: { code: -32000, message: 'Too many requests: slow down and retry later' },
        })
      }
      const limited = await samples(a.listening, 'mcp_pa_rate_limited_total')
      expect(limited).toEqual([{ labels: { route: '/mcp' }, value: 1 }])
    })

    it('without Redis, two instances count the same token separately', async () => {
      const remaining = async (server: SpawnedHttpServer) => {
        const response = await toolsList(mcp(server), bearer)
        return `${response.status} ${String(response.headers['ratelimit-remaining'])}`
      }
      const onC: string[] = []
      for (let i = 0; i < 6; i++) onC.push(await remaining(c))
      expect(onC).toEqual(['200 4', '200 3', '200 2', '200 1', '200 0', '429 0'])
      expect(await remaining(d)).toBe('200 4')
    })
  },
)
