// npm run bench:http — HTTP-mode figures, printed (not asserted):
//   1. tools/call (task_list) over HTTP/1.1 keep-alive on 127.0.0.1 against two `mcp-pa serve --http`
//      child processes, measured in alternating rounds A, B, A, B… after a warm-up:
//      A with authentication off, B verifying RS256 JWT access tokens against a JWKS served here
//      (the CLI's composition: cachingVerifier(createJwtVerifier), memory rate limits, metrics,
//      audit log). Throughput in closed loop; latency at one fixed offered rate below saturation
//      (DESIGN §7: closed-loop p99 at saturation is mostly queueing).
//   2. JWT verification: verify() in a loop, createJwtVerifier alone and behind cachingVerifier.
//   3. Rate-limit decision: consumeMcp, in memory and, when Redis answers, through Redis.
//   4. Secret lookup: resolveSecret of a gcp-sm:// reference served from the SecretCache.
// Targets (seed): authenticated/unauthenticated throughput ≥ 0.9; token validation p95 < 100 ms;
// rate-limit decision p95 < 5 ms; cached secret lookup p95 < 10 ms.
// Options (flag or environment): --quick (BENCH_QUICK=1), --rounds (BENCH_ROUNDS),
// --seconds (BENCH_ROUND_SECONDS), --warmup (BENCH_WARMUP_SECONDS), --concurrency
// (BENCH_CONCURRENCY), --rate (BENCH_RATE), --samples (BENCH_SAMPLES); BENCH_REDIS_URL
// (default redis://127.0.0.1:6379, "off" to skip), BENCH_LOG_LEVEL (servers' log level, default info).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { closeSync, openSync, readFileSync } from 'node:fs'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { Agent, createServer, request as httpRequest } from 'node:http'
import { createServer as createNetServer } from 'node:net'
import { cpus, tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { fileURLToPath } from 'node:url'
import { parseArgs } from 'node:util'
import { Redis } from 'ioredis'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const cli = join(root, 'dist/cli/main.js')
const { createJwtVerifier, cachingVerifier } = await import(join(root, 'dist/auth/guard/index.js'))
const { tokenFingerprint } = await import(join(root, 'dist/auth/protocol/index.js'))
const { createRateLimiters } = await import(join(root, 'dist/transport/http/index.js'))
const { resolveSecret, SecretCache } = await import(join(root, 'dist/config/index.js'))

const { values: flags } = parseArgs({
  options: {
    quick: { type: 'boolean' },
    rounds: { type: 'string' },
    seconds: { type: 'string' },
    warmup: { type: 'string' },
    concurrency: { type: 'string' },
    rate: { type: 'string' },
    samples: { type: 'string' },
  },
})
const QUICK = flags.quick === true || process.env.BENCH_QUICK === '1'
const option = (flag, name, full, quick) => {
  const value = Number(flag ?? process.env[name] ?? (QUICK ? quick : full))
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`)
  return value
}
const ROUNDS = Math.round(option(flags.rounds, 'BENCH_ROUNDS', 8, 2))
const ROUND_SECONDS = option(flags.seconds, 'BENCH_ROUND_SECONDS', 1.5, 0.5)
const WARMUP_SECONDS = option(flags.warmup, 'BENCH_WARMUP_SECONDS', 2, 0.3)
const CONCURRENCY = Math.round(option(flags.concurrency, 'BENCH_CONCURRENCY', 8, 8))
const LATENCY_ROUNDS = Math.max(1, Math.ceil(ROUNDS / 2))
const FIXED_RATE = flags.rate ?? process.env.BENCH_RATE
const SAMPLES = Math.round(option(flags.samples, 'BENCH_SAMPLES', 20000, 2000))
const REDIS_URL = process.env.BENCH_REDIS_URL ?? 'redis://127.0.0.1:6379'
const LOG_LEVEL = process.env.BENCH_LOG_LEVEL ?? 'info'
const SEED_TASKS = 20
const HOST = '127.0.0.1'

const TARGET = { ratio: 0.9, verifyMs: 100, rateLimitMs: 5, secretMs: 10 }

const T0 = performance.now()
const progress = (line) =>
  process.stderr.write(`  [${((performance.now() - T0) / 1000).toFixed(1)} s] ${line}\n`)

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
}
function stats(latencies) {
  const sorted = Float64Array.from(latencies).sort()
  return {
    n: sorted.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    p99: percentile(sorted, 99),
  }
}
const time = (ms) =>
  ms < 0.01
    ? `${(ms * 1000).toFixed(2)} µs`
    : ms < 1
      ? `${(ms * 1000).toFixed(1)} µs`
      : `${ms.toFixed(2)} ms`
function median(list) {
  const sorted = [...list].sort((x, y) => x - y)
  const mid = sorted.length >> 1
  return sorted.length % 2 === 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
}

// ---------------------------------------------------------------------------------------------
// The identity provider side: a key pair made now, its JWKS on a real endpoint, signed tokens.

async function startJwks() {
  const rsa = await generateKeyPair('RS256', { modulusLength: 2048 })
  const ec = await generateKeyPair('ES256')
  const keys = [
    { ...(await exportJWK(rsa.publicKey)), kid: 'bench-rs256', alg: 'RS256', use: 'sig' },
    { ...(await exportJWK(ec.publicKey)), kid: 'bench-es256', alg: 'ES256', use: 'sig' },
  ]
  const body = JSON.stringify({ keys })
  let fetches = 0
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/jwks') {
      fetches += 1
      res.writeHead(200, { 'content-type': 'application/json', 'cache-control': 'max-age=600' })
      res.end(body)
    } else {
      res.writeHead(404).end()
    }
  })
  server.listen(0, HOST)
  await once(server, 'listening')
  const origin = `http://${HOST}:${server.address().port}`
  return {
    issuer: origin,
    jwksUri: `${origin}/jwks`,
    fetches: () => fetches,
    sign: (alg, audience, claims = {}) =>
      new SignJWT({ scope: 'tasks:read tasks:write', client_id: 'bench-client', ...claims })
        .setProtectedHeader({ alg, kid: `bench-${alg.toLowerCase()}`, typ: 'at+jwt' })
        .setIssuer(origin)
        .setAudience(audience)
        .setSubject('bench-user')
        .setJti(randomBytes(8).toString('hex'))
        .setIssuedAt()
        .setExpirationTime('1h')
        .sign(alg === 'RS256' ? rsa.privateKey : ec.privateKey),
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve())
        server.closeAllConnections()
      }),
  }
}

// ---------------------------------------------------------------------------------------------
// The two servers: `mcp-pa serve --http` child processes, configured through a file.

async function freePort() {
  const probe = createNetServer()
  probe.listen(0, HOST)
  await once(probe, 'listening')
  const { port } = probe.address()
  await new Promise((resolve) => probe.close(resolve))
  return port
}

async function startServer(name, home, authentication) {
  const port = await freePort()
  const configPath = join(home, `${name}.json`)
  const logPath = join(home, `${name}.log`)
  const config = {
    mode: 'http',
    database: { type: 'sqlite', path: join(home, `${name}.sqlite`) },
    server: { host: HOST, port },
    authentication,
    // Far above what the bench sends: every request must be served, none refused with 429.
    rate_limit: { mcp_per_minute: 1_000_000, ip_per_minute: 1_000_000 },
    logging: { level: LOG_LEVEL },
  }
  await writeFile(configPath, JSON.stringify(config, null, 2), { mode: 0o600 })
  const log = openSync(logPath, 'w', 0o600)
  const child = spawn(process.execPath, [cli, 'serve', '--http', '--config', configPath], {
    env: { PATH: process.env.PATH, HOME: home },
    stdio: ['ignore', 'ignore', log],
  })
  closeSync(log)
  const exited = once(child, 'exit').then(([code, signal]) => ({ code, signal }))
  const logTail = () => readFileSync(logPath, 'utf8').trim().split('\n').slice(-15).join('\n')
  const agent = new Agent({ keepAlive: true, maxSockets: Math.max(64, CONCURRENCY) })
  const server = {
    name,
    port,
    child,
    exited,
    agent,
    logTail,
    resource: `http://${HOST}:${port}/mcp`,
  }
  const deadline = performance.now() + 15_000
  try {
    for (;;) {
      const early = await Promise.race([exited, sleep(50).then(() => undefined)])
      if (early !== undefined) {
        throw new Error(`server ${name} exited (${early.code ?? early.signal}):\n${logTail()}`)
      }
      const status = await get(port, '/healthz').catch(() => 0)
      if (status === 200) return server
      if (performance.now() > deadline) {
        throw new Error(`server ${name} did not answer /healthz in 15 s:\n${logTail()}`)
      }
    }
  } catch (error) {
    await stopServer(server)
    throw error
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

function get(port, path) {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: HOST, port, path, agent: false }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    })
    req.on('error', reject)
    req.end()
  })
}

// ---------------------------------------------------------------------------------------------
// The client: node:http with a keep-alive agent per server.

function rpcBody(name, args) {
  return Buffer.from(
    JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'tools/call',
      params: { name, arguments: args },
    }),
  )
}
const LIST_BODY = rpcBody('task_list', { limit: 10 })

function headersFor(body, token) {
  return {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    'mcp-protocol-version': '2025-06-18',
    'content-length': String(body.length),
    ...(token === undefined ? {} : { authorization: `Bearer ${token}` }),
  }
}

function send(server, body, headers) {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: HOST, port: server.port, path: '/mcp', method: 'POST', agent: server.agent, headers },
      (res) => {
        const chunks = []
        res.on('data', (chunk) => chunks.push(chunk))
        res.on('error', reject)
        res.on('end', () =>
          resolve({ status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') }),
        )
      },
    )
    req.on('error', (error) => {
      // A keep-alive socket the server closed while idle: retry once on a fresh one (task_list
      // and the seeding calls are safe to repeat; the server never saw this request).
      if (req.reusedSocket && error.code === 'ECONNRESET') {
        send(server, body, headers).then(resolve, reject)
      } else reject(error)
    })
    req.end(body)
  })
}

/** One tools/call; throws unless it is a 200 carrying a successful tool result. */
async function call(server, body, headers) {
  const { status, body: text } = await send(server, body, headers)
  if (status !== 200 || !text.includes('"structuredContent"') || text.includes('"isError":true')) {
    throw new Error(`server ${server.name} answered ${status}: ${text.slice(0, 300)}`)
  }
  return text
}

/** Throughput: CONCURRENCY connections each sending the next request as soon as one answers. */
async function closedLoop(server, seconds) {
  const latencies = []
  const started = performance.now()
  const deadline = started + seconds * 1000
  await Promise.all(
    server.headers.map(async (headers) => {
      while (performance.now() < deadline) {
        const t0 = performance.now()
        await call(server, LIST_BODY, headers)
        latencies.push(performance.now() - t0)
      }
    }),
  )
  const elapsed = (performance.now() - started) / 1000
  return { requests: latencies.length, seconds: elapsed, latencies }
}

/** Latency: requests sent on a fixed schedule, whatever the answers do (open loop). */
async function fixedRate(server, rate, seconds) {
  const total = Math.max(1, Math.round(rate * seconds))
  const latencies = []
  const pending = []
  const started = performance.now()
  let sent = 0
  let failure
  while (sent < total && failure === undefined) {
    const due = Math.min(total, Math.floor(((performance.now() - started) / 1000) * rate) + 1)
    for (; sent < due; sent++) {
      const headers = server.headers[sent % server.headers.length]
      const t0 = performance.now()
      pending.push(
        call(server, LIST_BODY, headers).then(
          () => latencies.push(performance.now() - t0),
          (error) => (failure ??= error),
        ),
      )
    }
    await sleep(1)
  }
  const sendSeconds = (performance.now() - started) / 1000
  await Promise.all(pending)
  if (failure !== undefined) throw failure
  return { latencies, offered: total / sendSeconds }
}

async function seed(server) {
  const headers = server.headers[0]
  for (let i = 0; i < SEED_TASKS; i++) {
    const body = rpcBody('task_create', {
      title: `bench task ${i + 1}`,
      notes: 'written by bench/http.mjs',
      priority: ['low', 'normal', 'high', 'urgent'][i % 4],
      tags: ['bench'],
    })
    await call(server, body, headersFor(body, headers.authorization?.slice(7)))
  }
  const text = await call(server, LIST_BODY, headers)
  const data = JSON.parse(
    text
      .split('\n')
      .find((line) => line.startsWith('data:'))
      .slice(5),
  )
  const listed = data.result.structuredContent.tasks.length
  if (listed !== 10)
    throw new Error(`server ${server.name}: task_list gave ${listed} tasks, not 10`)
}

async function httpFigures(home, idp) {
  const a = await startServer('a', home, { enabled: false })
  let b
  try {
    b = await startServer('b', home, {
      enabled: true,
      provider: 'external',
      issuer: idp.issuer,
      jwks_uri: idp.jwksUri,
      token_verification: 'jwt',
    })
    progress(`servers up: A ${a.resource} (auth off), B ${b.resource} (JWT, JWKS ${idp.jwksUri})`)
    a.headers = Array.from({ length: CONCURRENCY }, () => headersFor(LIST_BODY))
    // One token per connection, as if CONCURRENCY clients of one user were calling.
    const tokens = await Promise.all(
      Array.from({ length: CONCURRENCY }, () => idp.sign('RS256', b.resource)),
    )
    b.headers = tokens.map((token) => headersFor(LIST_BODY, token))
    await seed(a)
    await seed(b)
    progress(`seeded ${SEED_TASKS} tasks on each; the call: tools/call task_list {"limit":10}`)

    progress(`warm-up ${WARMUP_SECONDS} s each…`)
    await closedLoop(a, WARMUP_SECONDS)
    await closedLoop(b, WARMUP_SECONDS)

    const rounds = { a: [], b: [] }
    for (let r = 0; r < ROUNDS; r++) {
      rounds.a.push(await closedLoop(a, ROUND_SECONDS))
      rounds.b.push(await closedLoop(b, ROUND_SECONDS))
      const rate = (x) => Math.round(x.requests / x.seconds)
      progress(
        `throughput round ${r + 1}/${ROUNDS}: A ${rate(rounds.a[r])} req/s, B ${rate(rounds.b[r])} req/s`,
      )
    }
    const throughput = (list) =>
      list.reduce((n, x) => n + x.requests, 0) / list.reduce((s, x) => s + x.seconds, 0)
    const thrA = throughput(rounds.a)
    const thrB = throughput(rounds.b)

    const rate =
      FIXED_RATE === undefined
        ? Math.max(10, Math.round(Math.min(thrA, thrB) / 20) * 10)
        : Number(FIXED_RATE)
    if (!Number.isFinite(rate) || rate <= 0) throw new Error('BENCH_RATE must be a positive number')
    const fixed = { a: [], b: [], offered: [] }
    for (let r = 0; r < LATENCY_ROUNDS; r++) {
      for (const [key, server] of [
        ['a', a],
        ['b', b],
      ]) {
        const round = await fixedRate(server, rate, ROUND_SECONDS)
        fixed[key].push(...round.latencies)
        fixed.offered.push(round.offered)
      }
      progress(`latency round ${r + 1}/${LATENCY_ROUNDS} at ${rate} req/s done`)
    }
    return {
      rate,
      offered: Math.min(...fixed.offered),
      a: { throughput: thrA, rounds: rounds.a, fixed: stats(fixed.a) },
      b: { throughput: thrB, rounds: rounds.b, fixed: stats(fixed.b) },
      saturated: {
        a: stats(rounds.a.flatMap((x) => x.latencies)),
        b: stats(rounds.b.flatMap((x) => x.latencies)),
      },
    }
  } catch (error) {
    for (const server of [a, b]) {
      if (server !== undefined && server.child.exitCode !== null) {
        process.stderr.write(`server ${server.name} log:\n${server.logTail()}\n`)
      }
    }
    throw error
  } finally {
    await stopServer(a)
    if (b !== undefined) await stopServer(b)
  }
}

// ---------------------------------------------------------------------------------------------
// Micro-benchmarks in this process (the servers are stopped by then).

async function timeOps(samples, fn) {
  for (let i = 0; i < Math.min(1000, Math.ceil(samples / 10)); i++) await fn(i)
  const times = new Float64Array(samples)
  const started = performance.now()
  for (let i = 0; i < samples; i++) {
    const t0 = performance.now()
    await fn(i)
    times[i] = performance.now() - t0
  }
  const seconds = (performance.now() - started) / 1000
  return { ...stats(times), meanMs: (seconds * 1000) / samples }
}

async function verifyFigures(idp) {
  const audience = 'http://127.0.0.1:8787/mcp'
  const options = { issuer: idp.issuer, audience, jwks: new URL(idp.jwksUri) }
  const results = []
  for (const alg of ['RS256', 'ES256']) {
    const token = await idp.sign(alg, audience)
    const plain = createJwtVerifier(options)
    const cached = cachingVerifier(createJwtVerifier(options))
    await plain.verify(token) // fetches the key set once
    await cached.verify(token)
    progress(`JWT ${alg} verify()…`)
    results.push({
      label: `JWT verify() ${alg}, no cache`,
      ...(await timeOps(Math.ceil(SAMPLES / 4), () => plain.verify(token))),
    })
    results.push({
      label: `JWT verify() ${alg}, cached`,
      ...(await timeOps(SAMPLES, () => cached.verify(token))),
    })
  }
  return results
}

async function rateLimitFigures() {
  const prefix = `mcp-pa-bench:${process.pid}-${randomBytes(4).toString('hex')}`
  const fingerprints = Array.from({ length: 256 }, (_, i) => tokenFingerprint(`bench-token-${i}`))
  const policy = { points: 1_000_000_000, durationSeconds: 60 }
  const consume = (limiters) => async (i) => {
    const decision = await limiters.consumeMcp(fingerprints[i % fingerprints.length])
    if (!decision.allowed) throw new Error('rate limiter refused a request under its limit')
  }
  const results = []

  progress('rate limit consumeMcp, memory…')
  const memory = createRateLimiters({ mcp: policy, unauthenticated: policy, keyPrefix: prefix })
  await memory.ready()
  results.push({
    label: 'rate limit consumeMcp, memory',
    ...(await timeOps(SAMPLES, consume(memory))),
  })
  await memory.close()

  if (REDIS_URL === 'off') return { results, redis: 'skipped (BENCH_REDIS_URL=off)' }
  const warnings = []
  const logger = { warn: (obj, msg) => warnings.push(msg), info: () => undefined }
  const shared = createRateLimiters({
    redis: { url: REDIS_URL },
    mcp: policy,
    unauthenticated: policy,
    keyPrefix: prefix,
    logger,
  })
  const where = await shared.ready()
  if (where !== 'redis') {
    await shared.close()
    return { results, redis: `not measured: no answer from ${REDIS_URL}` }
  }
  progress(`rate limit consumeMcp, Redis (${REDIS_URL})…`)
  let figure
  try {
    figure = await timeOps(Math.ceil(SAMPLES / 4), consume(shared))
  } finally {
    await shared.close()
  }
  const removed = await removeKeys(REDIS_URL, `${prefix}:*`)
  if (warnings.length > 0) {
    return {
      results,
      redis: `not reliable: the limiter fell back to memory during the run (${warnings[0]})`,
    }
  }
  results.push({ label: 'rate limit consumeMcp, Redis', ...figure })
  return { results, redis: `${REDIS_URL}, ${removed} keys under ${prefix}:* written and removed` }
}

async function removeKeys(url, pattern) {
  const client = new Redis(url, { maxRetriesPerRequest: 1, connectionName: 'mcp-pa-bench-cleanup' })
  client.on('error', () => undefined)
  let removed = 0
  try {
    let cursor = '0'
    do {
      const [next, keys] = await client.scan(cursor, 'MATCH', pattern, 'COUNT', 1000)
      cursor = next
      if (keys.length > 0) removed += await client.del(...keys)
    } while (cursor !== '0')
  } finally {
    await client.quit().catch(() => client.disconnect())
  }
  return removed
}

async function secretFigures() {
  progress('secret lookups…')
  const ref = 'gcp-sm://projects/mcp-pa-bench/secrets/api-key'
  let fetched = 0
  // An in-process stand-in for Secret Manager: only the first lookup reaches it.
  const gcpClientFactory = () => ({
    accessSecretVersion: async () => {
      fetched += 1
      return [{ payload: { data: Buffer.from('bench-secret-value') } }]
    },
  })
  const options = { env: {}, gcpClientFactory, cache: new SecretCache() }
  const lookup = async () => {
    const secret = await resolveSecret(ref, options)
    if (secret.reveal() !== 'bench-secret-value') throw new Error('wrong secret value')
  }
  const cached = await timeOps(SAMPLES, lookup)
  if (fetched !== 1) throw new Error(`Secret Manager was asked ${fetched} times, not once`)
  const envOptions = { env: { MCP_PA_BENCH_SECRET: 'bench-secret-value' } }
  const env = await timeOps(SAMPLES, () => resolveSecret('env:MCP_PA_BENCH_SECRET', envOptions))
  return [
    { label: 'secret gcp-sm://…, cached', ...cached },
    { label: 'secret env:NAME (no cache: read each time)', ...env },
  ]
}

// ---------------------------------------------------------------------------------------------

function table(rows) {
  const widths = rows[0].map((_, c) => Math.max(...rows.map((row) => row[c].length)))
  const left = new Set([0, widths.length - 2, widths.length - 1])
  return rows
    .map((row) =>
      row
        .map((cell, c) => (left.has(c) ? cell.padEnd(widths[c]) : cell.padStart(widths[c])))
        .join('   ')
        .trimEnd(),
    )
    .map((line) => `  ${line}`)
    .join('\n')
}

const verdict = (ok) => (ok ? 'PASS' : 'BELOW TARGET')

const home = await mkdtemp(join(tmpdir(), 'mcp-pa-bench-http-'))
let idp
try {
  console.log(
    `mcp-pa bench:http — node ${process.version}, ${cpus().length} cores${QUICK ? ', --quick' : ''}: ` +
      `${CONCURRENCY} connections, ${ROUNDS} × ${ROUND_SECONDS} s rounds per server after ${WARMUP_SECONDS} s warm-up, ` +
      `${SAMPLES} samples per micro-benchmark`,
  )
  idp = await startJwks()
  const http = await httpFigures(home, idp)
  const jwksByServer = idp.fetches()
  const verify = await verifyFigures(idp)
  const limits = await rateLimitFigures()
  const secrets = await secretFigures()

  // Each B round is compared with the A round just before it; the median of these ratios is
  // what the target is checked against (one round disturbed by another process cannot sway it).
  const pairs = http.a.rounds.map(
    (x, i) => http.b.rounds[i].requests / http.b.rounds[i].seconds / (x.requests / x.seconds),
  )
  const ratio = median(pairs)
  const totalsRatio = http.b.throughput / http.a.throughput
  const rows = [['figure', 'rate or mean', 'p50', 'p95', 'p99', 'target', 'result']]
  const httpRow = (label, side) => [
    label,
    `${Math.round(side.throughput)} req/s`,
    time(side.fixed.p50),
    time(side.fixed.p95),
    time(side.fixed.p99),
    '',
    '',
  ]
  rows.push(httpRow('tools/call task_list, A auth off', http.a))
  rows.push(httpRow('tools/call task_list, B JWT RS256 (JWKS)', http.b))
  rows.push([
    'throughput B/A (median of rounds)',
    `${ratio.toFixed(3)}×`,
    '',
    '',
    '',
    `≥ ${TARGET.ratio}`,
    verdict(ratio >= TARGET.ratio),
  ])
  const microRow = (figure, target) => [
    figure.label,
    `${time(figure.meanMs)}/op`,
    time(figure.p50),
    time(figure.p95),
    time(figure.p99),
    target === undefined ? '—' : `p95 < ${target} ms`,
    target === undefined ? '' : verdict(figure.p95 < target),
  ]
  for (const figure of verify) rows.push(microRow(figure, TARGET.verifyMs))
  for (const figure of limits.results) rows.push(microRow(figure, TARGET.rateLimitMs))
  if (!limits.results.some((f) => f.label.endsWith('Redis'))) {
    rows.push([
      'rate limit consumeMcp, Redis',
      'not measured',
      '',
      '',
      '',
      `p95 < ${TARGET.rateLimitMs} ms`,
      '—',
    ])
  }
  rows.push(microRow(secrets[0], TARGET.secretMs))
  rows.push(microRow(secrets[1], undefined))

  console.log()
  console.log(table(rows))
  const roundList = (side) => side.rounds.map((x) => Math.round(x.requests / x.seconds)).join(' ')
  const spread = Math.max(...pairs) / Math.min(...pairs)
  const notes = [
    `rate or mean: tools/call req/s in closed loop (${CONCURRENCY} connections, rounds A, B alternating); ` +
      'for the other rows, the mean time of one call awaited after the other.',
    `p50/p95/p99 of tools/call: at a fixed ${http.rate} req/s offered to each server in open loop ` +
      `(achieved ≥ ${Math.round(http.offered)} req/s), ${http.a.fixed.n} samples each.`,
    `rounds, req/s: A ${roundList(http.a)} | B ${roundList(http.b)}; per-round B/A ` +
      `${pairs.map((p) => p.toFixed(3)).join(' ')}; B/A of the totals ${totalsRatio.toFixed(3)}` +
      (spread > 1.15
        ? ' — rounds differ by more than 15% (another process on the CPU?): rerun on an idle machine'
        : ''),
    `at saturation (closed loop, mostly queueing): A p50 ${time(http.saturated.a.p50)} p99 ${time(http.saturated.a.p99)}; ` +
      `B p50 ${time(http.saturated.b.p50)} p99 ${time(http.saturated.b.p99)}`,
    `servers: mcp-pa serve --http child processes, SQLite file, memory rate limits, metrics, log level ${LOG_LEVEL} ` +
      `to a file; B as the CLI composes it (cachingVerifier(createJwtVerifier)), ${CONCURRENCY} tokens ` +
      `(one per connection); B fetched the JWKS ${jwksByServer} time(s).`,
    'JWT verify(): createJwtVerifier against the same JWKS endpoint (key set fetched once), one token verified ' +
      'again and again; "cached" is cachingVerifier in front of it (SHA-256 of the token + LRU hit).',
    `Redis rate limiter: ${limits.redis}.`,
    'secrets: only gcp-sm:// references are cached (SecretCache, TTL 300 s); the Secret Manager client is an ' +
      'in-process stand-in, asked once. env: and file: references are resolved on every call (no cache).',
  ]
  console.log()
  for (const note of notes) console.log(`  ${note}`)

  const verifyP95 = Math.max(...verify.map((f) => f.p95))
  const limitP95 = Math.max(...limits.results.map((f) => f.p95))
  const checks = [
    ['auth/unauth throughput', ratio >= TARGET.ratio, `${ratio.toFixed(3)} (≥ ${TARGET.ratio})`],
    [
      'JWT validation p95',
      verifyP95 < TARGET.verifyMs,
      `${time(verifyP95)} (< ${TARGET.verifyMs} ms)`,
    ],
    [
      'rate-limit decision p95',
      limitP95 < TARGET.rateLimitMs,
      `${time(limitP95)} (< ${TARGET.rateLimitMs} ms)`,
    ],
    [
      'cached secret p95',
      secrets[0].p95 < TARGET.secretMs,
      `${time(secrets[0].p95)} (< ${TARGET.secretMs} ms)`,
    ],
  ]
  const below = checks.filter(([, ok]) => !ok).map(([name]) => name)
  console.log()
  console.log(
    `summary: ${checks.map(([name, ok, text]) => `${name} ${text} ${verdict(ok)}`).join('; ')} — ` +
      (below.length === 0 ? 'all targets met' : `BELOW TARGET: ${below.join(', ')}`),
  )
} finally {
  await idp?.close()
  await rm(home, { recursive: true, force: true })
}
