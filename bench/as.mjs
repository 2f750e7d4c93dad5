// npm run bench:as — the built-in authorization server against a bare oidc-provider (issue 4 §10),
// printed (not asserted). Three servers, each a child process on 127.0.0.1:
//   ours-sqlite   `mcp-pa serve --http` with the built-in AS on a SQLite file;
//   ours-postgres the same on a fresh PostgreSQL database (created here, dropped afterwards);
//   bare-sqlite   the bare engine below on mcp-pa's SQLite artifact store through our adapter: a
//                 reference that shows what persistence alone costs (BENCH_BARE_STORE_REFERENCE=0
//                 leaves it out); ours-sqlite/bare-sqlite is what the rest of mcp-pa costs;
//   bare          oidc-provider 9 with its default in-memory adapter on plain node:http, configured
//                 like ours: same grants, PKCE S256 required, resource indicators with RFC 9068 JWT
//                 ES256 access tokens (plus the `gid` claim), refresh rotation, and an interaction
//                 route that logs in and consents programmatically.
// Three workloads, closed loop, BENCH_CONCURRENCY workers each:
//   refresh_token       a chain per worker: each request uses the refresh token the last returned;
//   client_credentials  a confidential client, client_secret_basic;
//   code+PKCE flow      authorize → code → token with an existing session and a remembered consent
//                       (a web client with an https redirect that is never contacted: the bench
//                       stops at the redirect), so no page is shown — "programmatic consent".
// Rounds interleave every server and workload (the order rotates each round) so load from other
// processes hits all of them alike; ours/bare is the median of the per-round ratios. Target ≥ 0.8.
// Options (environment): BENCH_SECONDS (round length, 2), BENCH_ROUNDS (4), BENCH_WARMUP_SECONDS
// (1.5), BENCH_CONCURRENCY (8), BENCH_WORKLOADS (refresh,cc,code), BENCH_DATABASES
// (sqlite,postgres), BENCH_DATABASE_URL (an admin URL of the PostgreSQL server, default
// postgres://postgres@127.0.0.1:5432/test), BENCH_LOG_LEVEL (our servers' logging.level, info),
// BENCH_CPU_PROF (a directory: every server child runs with --cpu-prof and writes its profile
// there), BENCH_QUICK=1 (smoke run, about 1 min). Besides the rates it prints the server CPU time
// per operation (from /proc), which other load on the machine disturbs much less.
import { spawn } from 'node:child_process'
import { createHash, generateKeyPairSync, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent, createServer, request as httpRequest } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath, URL, URLSearchParams } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const self = fileURLToPath(import.meta.url)
const HOST = '127.0.0.1'
const WEB_REDIRECT = 'https://app.example/callback'
const SCOPE = 'memories:read memories:write tasks:read tasks:write'
const CC_SCOPE = 'tasks:read'

if (process.argv[2] === '--bare-server') {
  await bareServer()
} else {
  await main()
}

// ---------------------------------------------------------------------------------------------
// The bare oidc-provider (child process): default in-memory adapter, node:http, no edge.

async function bareServer() {
  const { default: Provider, errors } = await import('oidc-provider')
  const { ROUTES } = await import(join(root, 'dist/auth/server/routes.js'))
  const config = JSON.parse(process.env.BENCH_BARE_CONFIG ?? '{}')
  const secret = process.env.BENCH_BARE_SECRET
  if (secret === undefined) throw new Error('BENCH_BARE_SECRET is not set')
  const server = createServer()
  server.keepAliveTimeout = 30_000
  server.listen(0, HOST)
  await once(server, 'listening')
  const origin = `http://${HOST}:${server.address().port}`
  const resource = `${origin}/mcp`
  const key = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({
    format: 'jwk',
  })
  // BENCH_BARE_STORE: the same engine on mcp-pa's persistent store (a SQLite file, through our
  // oidc-provider adapter) instead of its in-memory adapter: what persistence alone costs.
  let adapter
  if (process.env.BENCH_BARE_STORE !== undefined) {
    const { openSqliteStorage } = await import(join(root, 'dist/storage/sqlite/index.js'))
    const { createAdapterFactory } = await import(join(root, 'dist/auth/server/adapter.js'))
    const storage = await openSqliteStorage({ path: process.env.BENCH_BARE_STORE })
    adapter = createAdapterFactory(storage.artifacts)
  }
  const provider = new Provider(origin, {
    ...(adapter === undefined ? {} : { adapter }),
    clients: [
      {
        client_id: 'bench-web',
        application_type: 'web',
        token_endpoint_auth_method: 'none',
        redirect_uris: [WEB_REDIRECT],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
      },
      {
        client_id: 'bench-service',
        client_secret: secret,
        token_endpoint_auth_method: 'client_secret_basic',
        redirect_uris: [],
        grant_types: ['client_credentials'],
        response_types: [],
      },
    ],
    clientDefaults: {
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      id_token_signed_response_alg: 'ES256',
    },
    jwks: { keys: [{ ...key, kid: 'bench-es256', alg: 'ES256', use: 'sig' }] },
    enabledJWA: { idTokenSigningAlgValues: ['ES256'] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    extraTokenClaims: async (_ctx, token) =>
      token.grantId === undefined ? undefined : { gid: token.grantId },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: async () => resource,
        useGrantedResource: async () => true,
        getResourceServerInfo: async (_ctx, indicator) => {
          if (indicator !== resource) throw new errors.InvalidTarget()
          return {
            scope: config.scopes.join(' '),
            audience: resource,
            accessTokenTTL: config.accessTokenTtl,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: 'ES256' } },
          }
        },
      },
    },
    findAccount: async (_ctx, sub) => ({ accountId: sub, claims: async () => ({ sub }) }),
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    issueRefreshToken: async (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    pkce: { required: () => true },
    responseTypes: ['code'],
    rotateRefreshToken: true,
    // The same route table as ours, so every client request is the same on both.
    routes: ROUTES,
    scopes: ['openid', 'offline_access'],
    ttl: {
      AccessToken: config.accessTokenTtl,
      AuthorizationCode: config.codeTtl,
      ClientCredentials: config.accessTokenTtl,
      Grant: config.refreshTokenTtl,
      Interaction: 600,
      RefreshToken: (ctx) =>
        ctx?.oidc?.entities?.RotatedRefreshToken?.remainingTTL ?? config.refreshTokenTtl,
      Session: config.sessionIdleTtl,
    },
  })
  const callback = provider.callback()
  // The programmatic interaction: the one account logs in and consents to what was asked.
  const interaction = async (req, res) => {
    try {
      const details = await provider.interactionDetails(req, res)
      const accountId = 'bench-user'
      const clientId = String(details.params.client_id)
      const grant =
        (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
        new provider.Grant({ accountId, clientId })
      grant.addResourceScope(String(details.params.resource ?? resource), details.params.scope)
      const grantId = await grant.save()
      await provider.interactionFinished(
        req,
        res,
        { login: { accountId }, consent: { grantId } },
        { mergeWithLastSubmission: false },
      )
    } catch (error) {
      res.statusCode = 500
      res.end(String(error))
    }
  }
  server.on('request', (req, res) => {
    if (req.url === '/healthz') res.end('ok')
    else if (req.url.startsWith('/interaction/')) void interaction(req, res)
    else callback(req, res)
  })
  process.once('SIGTERM', () => {
    server.close(() => process.exit(0))
    server.closeAllConnections()
  })
  process.stdout.write(`${JSON.stringify({ origin, resource })}\n`)
}

// ---------------------------------------------------------------------------------------------
// The load generator (parent process).

async function main() {
  const QUICK = process.env.BENCH_QUICK === '1'
  const option = (name, full, quick) => {
    const value = Number(process.env[name] ?? (QUICK ? quick : full))
    if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
    return value
  }
  const ROUND_SECONDS = option('BENCH_SECONDS', 2, 0.5)
  const ROUNDS = Math.round(option('BENCH_ROUNDS', 4, 2))
  const WARMUP_SECONDS = option('BENCH_WARMUP_SECONDS', 1.5, 0.3)
  const CONCURRENCY = Math.round(option('BENCH_CONCURRENCY', 8, 8))
  const DATABASES = (process.env.BENCH_DATABASES ?? 'sqlite,postgres')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const ADMIN_URL = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
  const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info'
  const CPU_PROF = process.env.BENCH_CPU_PROF
  const WORKLOAD_KEYS = (process.env.BENCH_WORKLOADS ?? 'refresh,cc,code')
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean)
  const TARGET = 0.8
  const BARE_STORE = process.env.BENCH_BARE_STORE_REFERENCE !== '0'
  for (const name of DATABASES) {
    if (name !== 'sqlite' && name !== 'postgres') {
      throw new Error(`BENCH_DATABASES: unknown database ${name} (sqlite, postgres)`)
    }
  }

  const { configSchema } = await import(join(root, 'dist/config/index.js'))
  const { hashPassword } = await import(join(root, 'dist/auth/server/passwords.js'))
  const { SCOPES } = await import(join(root, 'dist/tools/index.js'))
  const { addClient } = await import(join(root, 'dist/auth/server/admin/index.js'))
  const { memoryAuditSink } = await import(join(root, 'dist/audit/index.js'))
  const defaults = configSchema.parse({ mode: 'http' })
  const asDefaults = defaults.authentication.authorization_server

  const T0 = performance.now()
  const progress = (line) =>
    process.stderr.write(`  [${((performance.now() - T0) / 1000).toFixed(1)} s] ${line}\n`)
  const median = (list) => {
    const sorted = [...list].sort((x, y) => x - y)
    const mid = sorted.length >> 1
    return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
  }
  const percentile = (sorted, p) =>
    sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]

  // -------------------------------------------------------------------------------------------
  // HTTP: node:http with one keep-alive agent per server, and a cookie jar per worker.

  class Jar {
    cookies = new Map()
    store(headers) {
      for (const line of headers['set-cookie'] ?? []) {
        const [pair, ...attributes] = line.split(';')
        const eq = pair.indexOf('=')
        const name = pair.slice(0, eq).trim()
        const value = pair.slice(eq + 1).trim()
        const gone = attributes.some((a) => {
          const [k, v = ''] = a.trim().split('=')
          return (
            (k.toLowerCase() === 'max-age' && Number(v) <= 0) ||
            (k.toLowerCase() === 'expires' && Date.parse(v) <= Date.now())
          )
        })
        if (gone || value === '') this.cookies.delete(name)
        else this.cookies.set(name, value)
      }
    }
    header() {
      return [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; ')
    }
  }

  function send(server, method, path, headers = {}, body) {
    return new Promise((resolvePromise, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(body)
      const req = httpRequest(
        {
          host: HOST,
          port: server.port,
          path,
          method,
          agent: server.agent,
          headers: {
            ...headers,
            ...(payload === undefined ? {} : { 'content-length': String(payload.length) }),
          },
        },
        (res) => {
          const chunks = []
          res.on('data', (chunk) => chunks.push(chunk))
          res.on('error', reject)
          res.on('end', () =>
            resolvePromise({
              status: res.statusCode,
              headers: res.headers,
              text: Buffer.concat(chunks).toString('utf8'),
            }),
          )
        },
      )
      req.on('error', (error) => {
        // A keep-alive socket the server closed while idle: the server never saw this request.
        if (req.reusedSocket && error.code === 'ECONNRESET') {
          send(server, method, path, headers, body).then(resolvePromise, reject)
        } else reject(error)
      })
      req.end(payload)
    })
  }

  const FORM = { 'content-type': 'application/x-www-form-urlencoded' }

  async function token(server, form, headers = {}) {
    const response = await send(
      server,
      'POST',
      '/oauth/token',
      { ...FORM, ...headers },
      new URLSearchParams(form).toString(),
    )
    if (response.status !== 200) {
      throw new Error(
        `${server.name}: token (${form.grant_type}) answered ${response.status}: ${response.text.slice(0, 300)}`,
      )
    }
    const body = JSON.parse(response.text)
    if (typeof body.access_token !== 'string') {
      throw new Error(`${server.name}: no access_token in ${response.text.slice(0, 300)}`)
    }
    return body
  }

  /**
   * Follows redirects inside the server's origin until the one to the client's redirect URI,
   * signing in and consenting on our pages when they come (the bare server's interaction route
   * does both by itself). Returns the callback URL and how many pages were answered.
   */
  async function follow(server, worker, location) {
    let next = new URL(location, server.origin)
    let pages = 0
    for (let step = 0; step < 20; step++) {
      if (next.href.startsWith(WEB_REDIRECT)) return { callback: next, pages }
      if (next.origin !== server.origin) throw new Error(`${server.name}: redirect to ${next}`)
      let response = await send(server, 'GET', next.pathname + next.search, {
        cookie: worker.jar.header(),
      })
      worker.jar.store(response.headers)
      if (response.status === 200 && response.text.includes('name="csrf"')) {
        const html = response.text
        const csrf = /name="csrf" value="([^"]+)"/.exec(html)[1].replace(/&amp;/g, '&')
        const action = /<form method="post" action="([^"]+)"/.exec(html)[1].replace(/&amp;/g, '&')
        const form = new URLSearchParams({ csrf })
        if (html.includes('name="password"')) {
          form.set('username', server.person.username)
          form.set('password', server.person.password)
        } else if (html.includes('name="decision"')) {
          form.set('decision', 'allow')
          form.set('remember', 'on')
        } else throw new Error(`${server.name}: unexpected page at ${next.pathname}`)
        pages += 1
        response = await send(
          server,
          'POST',
          action,
          { ...FORM, origin: server.origin, cookie: worker.jar.header() },
          form.toString(),
        )
        worker.jar.store(response.headers)
      }
      const to = response.headers.location
      if (response.status < 300 || response.status >= 400 || to === undefined) {
        throw new Error(
          `${server.name}: stopped at ${response.status} ${next.pathname}: ${response.text
            .replace(/<[^>]+>/g, ' ')
            .replace(/\s+/g, ' ')
            .slice(0, 300)}`,
        )
      }
      next = new URL(to, next)
    }
    throw new Error(`${server.name}: too many redirects`)
  }

  /** One authorization code + PKCE flow: authorize (with the worker's session) → code → token. */
  async function codeFlow(server, worker) {
    const verifier = randomBytes(32).toString('base64url')
    const challenge = createHash('sha256').update(verifier).digest('base64url')
    const state = randomBytes(12).toString('base64url')
    const query = new URLSearchParams({
      response_type: 'code',
      client_id: server.webClient,
      redirect_uri: WEB_REDIRECT,
      scope: SCOPE,
      state,
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: server.resource,
    })
    const response = await send(server, 'GET', `/oauth/authorize?${query}`, {
      cookie: worker.jar.header(),
    })
    worker.jar.store(response.headers)
    if (response.headers.location === undefined) {
      throw new Error(`${server.name}: authorize answered ${response.status} without a redirect`)
    }
    const { callback, pages } = await follow(server, worker, response.headers.location)
    const code = callback.searchParams.get('code')
    if (code === null || callback.searchParams.get('state') !== state) {
      throw new Error(`${server.name}: bad callback ${callback.search.slice(0, 300)}`)
    }
    const tokens = await token(server, {
      grant_type: 'authorization_code',
      code,
      code_verifier: verifier,
      redirect_uri: WEB_REDIRECT,
      client_id: server.webClient,
      resource: server.resource,
    })
    if (typeof tokens.refresh_token !== 'string') throw new Error(`${server.name}: no refresh`)
    return { tokens, pages }
  }

  const WORKLOADS = {
    refresh: {
      label: 'refresh_token grant',
      unit: 'req/s',
      // Fresh chains each round (untimed): the bare server's in-memory adapter is an LRU of
      // 1000 entries, so tokens idle since the last round may have been evicted.
      async prime(server) {
        await Promise.all(
          server.workers.map(async (worker) => {
            worker.refreshToken = (await codeFlow(server, worker)).tokens.refresh_token
          }),
        )
      },
      async once(server, worker) {
        const tokens = await token(server, {
          grant_type: 'refresh_token',
          refresh_token: worker.refreshToken,
          client_id: server.webClient,
          resource: server.resource,
        })
        if (typeof tokens.refresh_token !== 'string') throw new Error('no rotated refresh token')
        worker.refreshToken = tokens.refresh_token
      },
    },
    cc: {
      label: 'client_credentials grant',
      unit: 'req/s',
      async prime() {},
      async once(server) {
        await token(
          server,
          { grant_type: 'client_credentials', scope: CC_SCOPE, resource: server.resource },
          { authorization: server.basic },
        )
      },
    },
    code: {
      label: 'code+PKCE flow (session)',
      unit: 'flows/s',
      async prime(server) {
        await Promise.all(server.workers.map((worker) => codeFlow(server, worker)))
      },
      async once(server, worker) {
        const { pages } = await codeFlow(server, worker)
        if (pages > 0) server.pagesSeen += pages
      },
    },
  }

  /** CPU time (user + system) of a child process so far, ms; undefined without /proc. */
  const TICK_MS = 10 // USER_HZ is 100 on Linux
  function cpuMs(pid) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return (Number(fields[11]) + Number(fields[12])) * TICK_MS
    } catch {
      return undefined
    }
  }

  /** Closed loop: every worker starts the next operation as soon as its last one ends. */
  async function closedLoop(server, workload, seconds) {
    const latencies = []
    const cpu0 = cpuMs(server.child.pid)
    const started = performance.now()
    const deadline = started + seconds * 1000
    await Promise.all(
      server.workers.map(async (worker) => {
        while (performance.now() < deadline) {
          const t0 = performance.now()
          await workload.once(server, worker)
          latencies.push(performance.now() - t0)
        }
      }),
    )
    const elapsed = (performance.now() - started) / 1000
    const cpu1 = cpuMs(server.child.pid)
    const cpu = cpu0 === undefined || cpu1 === undefined ? undefined : cpu1 - cpu0
    return { count: latencies.length, seconds: elapsed, latencies, cpu }
  }

  // -------------------------------------------------------------------------------------------
  // Servers.

  async function freePort() {
    const probe = createNetServer()
    probe.listen(0, HOST)
    await once(probe, 'listening')
    const { port } = probe.address()
    await new Promise((done) => probe.close(done))
    return port
  }

  const profileArgs = (name) =>
    CPU_PROF === undefined
      ? []
      : ['--cpu-prof', `--cpu-prof-dir=${resolve(CPU_PROF)}`, `--cpu-prof-name=${name}.cpuprofile`]

  function childServer(name, child, logPath) {
    const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }))
    return {
      name,
      child,
      exited,
      pagesSeen: 0,
      logTail: () => {
        try {
          return readFileSync(logPath, 'utf8').trim().split('\n').slice(-15).join('\n')
        } catch {
          return ''
        }
      },
      agent: new Agent({ keepAlive: true, maxSockets: CONCURRENCY * 2 }),
      workers: Array.from({ length: CONCURRENCY }, () => ({ jar: new Jar() })),
    }
  }

  async function stopServer(server) {
    server.agent.destroy()
    if (server.child.exitCode !== null || server.child.signalCode !== null) return
    server.child.kill('SIGTERM')
    const stopped = await Promise.race([server.exited, sleep(15_000, undefined, { ref: false })])
    if (stopped === undefined) {
      server.child.kill('SIGKILL')
      await server.exited
    }
  }

  async function waitHealthy(server) {
    const deadline = performance.now() + 20_000
    for (;;) {
      const early = await Promise.race([server.exited, sleep(50).then(() => undefined)])
      if (early !== undefined) {
        throw new Error(
          `${server.name} exited (${early.code ?? early.signal}):\n${server.logTail()}`,
        )
      }
      const status = await send(server, 'GET', '/healthz').then(
        (r) => r.status,
        () => 0,
      )
      if (status === 200) return
      if (performance.now() > deadline) {
        throw new Error(`${server.name} did not answer /healthz in 20 s:\n${server.logTail()}`)
      }
    }
  }

  /** Our server: `mcp-pa serve --http` with the built-in AS; the account is written first. */
  async function startOurs(database, home, cleanups) {
    const name = `ours-${database}`
    const port = await freePort()
    const env = { PATH: process.env.PATH, HOME: home }
    let databaseConfig
    let storage
    const password = `pw-${randomBytes(12).toString('base64url')}`
    const person = { username: 'bench', password }
    const authorizationServer = {}
    if (database === 'sqlite') {
      const path = join(home, `${name}.sqlite`)
      databaseConfig = { type: 'sqlite', path }
      const { openSqliteStorage } = await import(join(root, 'dist/storage/sqlite/index.js'))
      storage = await openSqliteStorage({ path })
    } else {
      const { default: pg } = await import('pg')
      const dbName = `mcp_pa_bench_as_${randomBytes(5).toString('hex')}`
      const adminQuery = async (text) => {
        const client = new pg.Client({ connectionString: ADMIN_URL })
        await client.connect()
        try {
          await client.query(text)
        } finally {
          await client.end()
        }
      }
      await adminQuery(`CREATE DATABASE ${dbName}`)
      cleanups.push(() => adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`))
      const url = new URL(ADMIN_URL)
      url.pathname = `/${dbName}`
      databaseConfig = { type: 'postgresql', connection_string: url.href }
      // PostgreSQL needs a configured key-encryption key: generated now, passed in the environment.
      env.MCP_PA_BENCH_KEK = randomBytes(32).toString('base64')
      authorizationServer.key_encryption_key = 'env:MCP_PA_BENCH_KEK'
      const { openPostgresStorage } = await import(join(root, 'dist/storage/postgres/index.js'))
      storage = await openPostgresStorage({ connectionString: url.href, poolSize: 1 })
    }
    let clients
    try {
      // The account, and the two clients as `mcp-pa users add` / `mcp-pa clients add` make them.
      await storage.accounts.create({
        username: person.username,
        passwordHash: await hashPassword(password, person.username),
      })
      const context = { audit: memoryAuditSink() }
      const web = await addClient(
        storage.artifacts,
        {
          name: 'bench web client',
          redirectUris: [WEB_REDIRECT],
          authMethod: 'none',
          grantTypes: ['authorization_code'],
          refreshTokens: true,
          applicationType: 'web',
        },
        context,
      )
      const service = await addClient(
        storage.artifacts,
        {
          name: 'bench service',
          grantTypes: ['client_credentials'],
          authMethod: 'client_secret_basic',
        },
        context,
      )
      clients = {
        web: web.client.client_id,
        service: { id: service.client.client_id, secret: service.secret },
      }
    } finally {
      await storage.close()
    }
    const config = {
      mode: 'http',
      database: databaseConfig,
      server: { host: HOST, port },
      authentication: {
        enabled: true,
        provider: 'builtin',
        authorization_server: authorizationServer,
      },
      // Far above what the bench sends: every request must be served, none refused with 429.
      rate_limit: {
        mcp_per_minute: 1_000_000,
        ip_per_minute: 1_000_000,
        oauth_per_minute: 1_000_000,
      },
      logging: { level: LOG_LEVEL },
    }
    const configPath = join(home, `${name}.json`)
    const logPath = join(home, `${name}.log`)
    await writeFile(configPath, JSON.stringify(config, null, 2), { mode: 0o600 })
    const log = openSync(logPath, 'w', 0o600)
    const child = spawn(
      process.execPath,
      [
        ...profileArgs(name),
        join(root, 'dist/cli/main.js'),
        'serve',
        '--http',
        '--config',
        configPath,
      ],
      { env, stdio: ['ignore', 'ignore', log] },
    )
    closeSync(log)
    const server = childServer(name, child, logPath)
    server.port = port
    server.origin = `http://${HOST}:${port}`
    server.resource = `${server.origin}/mcp`
    server.person = person
    cleanups.push(() => stopServer(server))
    await waitHealthy(server)
    server.webClient = clients.web
    server.basic = basicAuth(clients.service.id, clients.service.secret)
    return server
  }

  async function startBare(home, cleanups, name = 'bare') {
    const secret = randomBytes(32).toString('base64url')
    const logPath = join(home, `${name}.log`)
    const log = openSync(logPath, 'w', 0o600)
    const child = spawn(process.execPath, [...profileArgs(name), self, '--bare-server'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: home,
        ...(name === 'bare-sqlite' ? { BENCH_BARE_STORE: join(home, 'bare-sqlite.sqlite') } : {}),
        BENCH_BARE_SECRET: secret,
        BENCH_BARE_CONFIG: JSON.stringify({
          scopes: SCOPES,
          accessTokenTtl: defaults.authentication.token_expiry,
          refreshTokenTtl: asDefaults.refresh_token_expiry,
          codeTtl: asDefaults.code_expiry,
          sessionIdleTtl: asDefaults.session_idle_timeout,
        }),
      },
      stdio: ['ignore', 'pipe', log],
    })
    closeSync(log)
    const server = childServer(name, child, logPath)
    cleanups.push(() => stopServer(server))
    const line = await Promise.race([
      new Promise((done) => {
        let text = ''
        child.stdout.on('data', (chunk) => {
          text += chunk
          if (text.includes('\n')) done(text.split('\n')[0])
        })
      }),
      server.exited.then(({ code, signal }) => {
        throw new Error(`${name} exited (${code ?? signal}):\n${server.logTail()}`)
      }),
    ])
    const { origin, resource } = JSON.parse(line)
    server.origin = origin
    server.port = Number(new URL(origin).port)
    server.resource = resource
    server.webClient = 'bench-web'
    server.basic = basicAuth('bench-service', secret)
    await waitHealthy(server)
    return server
  }

  const basicAuth = (id, secret) =>
    `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`

  // -------------------------------------------------------------------------------------------
  // The run.

  const home = await mkdtemp(join(tmpdir(), 'mcp-pa-bench-as-'))
  const cleanups = []
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      await step().catch((error) => process.stderr.write(`cleanup: ${error.message}\n`))
    }
    await rm(home, { recursive: true, force: true })
  }
  process.once('SIGINT', () => {
    void cleanup().finally(() => process.exit(130))
  })
  if (CPU_PROF !== undefined) await mkdir(resolve(CPU_PROF), { recursive: true })

  const servers = []
  const notes = []
  try {
    console.log(
      `mcp-pa bench:as — node ${process.version}, ${cpus().length} cores${QUICK ? ', quick' : ''}: ` +
        `${CONCURRENCY} workers, ${ROUNDS} × ${ROUND_SECONDS} s rounds per server and workload ` +
        `after ${WARMUP_SECONDS} s warm-up`,
    )
    for (const database of DATABASES) {
      try {
        servers.push(await startOurs(database, home, cleanups))
      } catch (error) {
        if (database !== 'postgres') throw error
        notes.push(`ours-postgres not measured: ${error.message.split('\n')[0]}`)
        progress(`PostgreSQL skipped: ${error.message.split('\n')[0]}`)
      }
    }
    if (BARE_STORE) servers.push(await startBare(home, cleanups, 'bare-sqlite'))
    servers.push(await startBare(home, cleanups))
    progress(`servers up: ${servers.map((s) => `${s.name} ${s.origin}`).join(', ')}`)

    // First flow of each worker: our login page (and the consent page, once for the account and
    // client) or the bare server's programmatic interaction; every later flow has a session.
    for (const server of servers) {
      for (const worker of server.workers) {
        const { pages } = await codeFlow(server, worker)
        worker.setupPages = pages
      }
      const pages = server.workers.map((w) => w.setupPages).join(',')
      progress(`${server.name}: sessions for ${CONCURRENCY} workers (pages answered: ${pages})`)
      if (server.name.startsWith('ours')) {
        const again = await codeFlow(server, server.workers[0])
        if (again.pages !== 0) throw new Error(`${server.name}: consent was not remembered`)
      }
    }

    const keys = WORKLOAD_KEYS
    for (const key of keys) {
      if (WORKLOADS[key] === undefined) throw new Error(`BENCH_WORKLOADS: unknown ${key}`)
    }
    progress(`warm-up ${WARMUP_SECONDS} s per server and workload…`)
    for (const key of keys) {
      for (const server of servers) {
        await WORKLOADS[key].prime(server)
        await closedLoop(server, WORKLOADS[key], WARMUP_SECONDS)
      }
    }
    const results = Object.fromEntries(
      keys.map((key) => [key, Object.fromEntries(servers.map((s) => [s.name, []]))]),
    )
    for (let round = 0; round < ROUNDS; round++) {
      for (const key of keys) {
        // The server order rotates each round: none is always first after another's round.
        const order = servers.map((_, i) => servers[(i + round) % servers.length])
        for (const server of order) {
          await WORKLOADS[key].prime(server)
          results[key][server.name].push(await closedLoop(server, WORKLOADS[key], ROUND_SECONDS))
        }
      }
      const line = keys
        .map(
          (key) =>
            `${key} ${servers.map((s) => Math.round(rate(results[key][s.name][round]))).join('/')}`,
        )
        .join(', ')
      progress(`round ${round + 1}/${ROUNDS} (${servers.map((s) => s.name).join('/')}): ${line}`)
    }

    // ------------------------------------------------------------------------------------------
    const bare = servers.find((s) => s.name === 'bare')
    const ours = servers.filter((s) => s !== bare)
    const header = [
      'workload',
      ...servers.map((s) => s.name),
      ...ours.map((s) => `${s.name}/bare`),
      'target',
    ]
    const rows = [header]
    // Server CPU time (user + system of the child, from /proc) per operation: what each operation
    // costs the server, much less sensitive than rates to other processes on the machine.
    const cpuRows = [
      [
        'server CPU per operation',
        ...servers.map((s) => s.name),
        ...ours.map((s) => `bare/${s.name}`),
      ],
    ]
    const verdicts = []
    const storeNotes = []
    for (const key of keys) {
      const workload = WORKLOADS[key]
      const total = (name) => {
        const list = results[key][name]
        return list.reduce((n, x) => n + x.count, 0) / list.reduce((s, x) => s + x.seconds, 0)
      }
      const ratios = ours.map((s) =>
        median(results[key][s.name].map((x, i) => rate(x) / rate(results[key].bare[i]))),
      )
      ratios.forEach((ratio, i) => {
        if (ours[i].name.startsWith('ours')) verdicts.push([`${ours[i].name} ${key}`, ratio])
      })
      rows.push([
        `${workload.label}, ${workload.unit}`,
        ...servers.map((s) => String(Math.round(total(s.name)))),
        ...ratios.map((r, i) =>
          ours[i].name.startsWith('ours')
            ? `${r.toFixed(2)}× ${r >= TARGET ? 'PASS' : 'BELOW'}`
            : `${r.toFixed(2)}×`,
        ),
        `≥ ${TARGET}`,
      ])
      const cpuPerOp = (name) => {
        const list = results[key][name]
        if (list.some((x) => x.cpu === undefined)) return undefined
        return list.reduce((t, x) => t + x.cpu, 0) / list.reduce((n, x) => n + x.count, 0)
      }
      const cpu = Object.fromEntries(servers.map((s) => [s.name, cpuPerOp(s.name)]))
      if (servers.every((s) => cpu[s.name] !== undefined)) {
        cpuRows.push([
          `${workload.label}, ms`,
          ...servers.map((s) => cpu[s.name].toFixed(2)),
          ...ours.map((s) => `${(cpu.bare / cpu[s.name]).toFixed(2)}×`),
        ])
      }
      const storeRef = results[key]['bare-sqlite']
      if (storeRef !== undefined && results[key]['ours-sqlite'] !== undefined) {
        const same = median(results[key]['ours-sqlite'].map((x, i) => rate(x) / rate(storeRef[i])))
        const cpuText =
          cpu['ours-sqlite'] === undefined || cpu['bare-sqlite'] === undefined
            ? ''
            : `, server CPU ${(cpu['bare-sqlite'] / cpu['ours-sqlite']).toFixed(2)}×`
        storeNotes.push(
          `${key}: ours-sqlite/bare-sqlite ${same.toFixed(2)}×${cpuText} (same engine, same store: what the rest of mcp-pa costs)`,
        )
      }
      const latency = servers
        .map((s) => {
          const sorted = Float64Array.from(results[key][s.name].flatMap((x) => x.latencies)).sort()
          return `${s.name} p50 ${percentile(sorted, 50).toFixed(1)} ms`
        })
        .join(', ')
      const perRound = servers
        .map((s) => `${s.name} ${results[key][s.name].map((x) => Math.round(rate(x))).join(' ')}`)
        .join(' | ')
      notes.push(`${key}: rounds ${perRound}; closed-loop latency ${latency}`)
    }
    for (const server of servers) {
      if (server.pagesSeen > 0) {
        notes.push(`${server.name}: ${server.pagesSeen} pages answered inside timed code flows`)
      }
    }
    notes.push(
      'ratio: median over rounds of ours/bare in the same round; rates: total operations / total time.',
      'server CPU: user + system time of the server process (10 ms ticks) / operations, over all rounds; ' +
        "PostgreSQL's own processes are not counted.",
      `ours: mcp-pa serve --http children (built-in AS, memory rate limits at 1,000,000/min, metrics, ` +
        `log level ${LOG_LEVEL} to a file); bare: oidc-provider with its in-memory adapter on node:http` +
        (BARE_STORE
          ? '; bare-sqlite: the same bare engine on our SQLite store through our adapter (a reference, no target).'
          : '.'),
    )
    console.log()
    console.log(table(rows))
    console.log()
    if (cpuRows.length > 1) {
      console.log(table(cpuRows))
      console.log()
    }
    for (const note of notes) console.log(`  ${note}`)
    if (storeNotes.length > 0) {
      console.log()
      for (const note of storeNotes) console.log(`  ${note}`)
    }
    const below = verdicts.filter(([, r]) => r < TARGET)
    console.log(
      `\nsummary: ${below.length === 0 ? 'all ratios ≥ 0.8' : `below target: ${below.map(([n, r]) => `${n} ${r.toFixed(2)}`).join(', ')}`}`,
    )
  } catch (error) {
    for (const server of servers) {
      if (server.child.exitCode !== null) {
        process.stderr.write(`${server.name} log:\n${server.logTail()}\n`)
      }
    }
    throw error
  } finally {
    await cleanup()
    if (CPU_PROF !== undefined) progress(`CPU profiles in ${resolve(CPU_PROF)}`)
  }

  function rate(x) {
    return x.count / x.seconds
  }

  function table(rows) {
    const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
    return rows
      .map((row) =>
        row
          .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
          .join('   ')
          .trimEnd(),
      )
      .map((line) => `  ${line}`)
      .join('\n')
  }
}
