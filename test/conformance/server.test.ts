import { once } from 'node:events'
import { mkdir, writeFile } from 'node:fs/promises'
import { createServer, request, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { join } from 'node:path'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { afterAll, beforeAll, describe, expect, it, type TestContext } from 'vitest'
import { spawnHttpServer, type SpawnedHttpServer } from '../helpers/http-server.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { call, tempHome } from '../helpers/spawn-client.js'
import { startTestIdp, type TestIdp } from '../support/oidc-idp.js'
import { progress, runner, type RunnerOutcome, type ScenarioResult } from './runner.js'

/**
 * The official MCP conformance suite (npm `@modelcontextprotocol/conformance`, version pinned in
 * scripts/conformance.sh, installed once into ~/.cache/mcp-pa-ci/conformance) against the built
 * `mcp-pa serve --http`, server side:
 *
 * 1. authentication off on 127.0.0.1 (allowed on loopback only), the suite talking to it directly;
 * 2. an external IdP (the real oidc-provider of test/support) with the bearer guard on, the suite
 *    talking to it through a loopback proxy that adds `Authorization: Bearer <token>` (the suite
 *    itself can send no credentials) and forwards `Host`/`Origin` unchanged. The proxy is the
 *    server's public URL (MCP_PUBLIC_URL), as a TLS-terminating proxy would be in production.
 *
 * Scenarios: the generic ones (any server can pass them without the suite's fixture tools) plus
 * `resources-list` (memories are resources). `prompts-list` must fail with -32601: mcp-pa has no
 * prompts and does not declare the capability, so "method not found" is the right answer.
 *
 * In CI (CI=true) a suite that cannot be installed or run fails the test. On a developer machine
 * without npm registry access the tests are skipped with a message. MCP_PA_CONFORMANCE=off skips
 * the file; .ci/run sets it for its second `npm test` pass (Node 24), so the suite runs once.
 */

const IN_CI = process.env.CI === 'true'
const OFF = process.env.MCP_PA_CONFORMANCE === 'off'
/** First install on a cold npm cache, plus Node 24 from the registry when node < 22. */
const INSTALL_TIMEOUT = 10 * 60_000
const RUN_TIMEOUT = 5 * 60_000

const GENERIC = [
  'server-initialize',
  'ping',
  'logging-set-level',
  'tools-list',
  'server-sse-multiple-streams',
  'dns-rebinding-protection',
]
const PASSING = [...GENERIC, 'resources-list']
/**
 * WARNINGs the suite raises on passing scenarios that we accept, with the reason. Any other
 * WARNING fails the test, so a new SHOULD-level finding is seen and judged.
 */
const ACCEPTED_WARNINGS: Record<string, string> = {
  // The HTTP transport is stateless by design (a server per request, DESIGN §7): no
  // Mcp-Session-Id, so the scenario has nothing to test and passes with 0 checks.
  'server-sse-multiple-streams/server-sse-multiple-streams-session': 'stateless transport',
}
const ALL_SCOPES = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']

const sentinel = logSentinel(import.meta.filename)

/** Why a scenario did not pass: the suite's FAILURE/WARNING checks, or why it did not run. */
function explain(result: ScenarioResult | undefined, run: RunnerOutcome | undefined): string {
  if (result === undefined) {
    return `the scenario did not run (runner exit code ${run?.code}):\n${run?.output ?? 'no output'}`
  }
  if (result.checks === undefined) return `did not run: ${result.error}`
  return result.checks
    .filter((c) => c.status === 'FAILURE' || c.status === 'WARNING')
    .map((c) => `${c.status} ${c.id}: ${c.errorMessage ?? JSON.stringify(c.details ?? {})}`)
    .join('\n')
}

function expectPassed(run: RunnerOutcome | undefined, scenario: string): ScenarioResult {
  const result = run?.results.get(scenario)
  expect(result?.pass, `${scenario} failed:\n${explain(result, run)}`).toBe(true)
  const unexpected = (result?.checks ?? [])
    .filter((c) => c.status === 'WARNING' && !(`${scenario}/${c.id}` in ACCEPTED_WARNINGS))
    .map((c) => `${c.id}: ${JSON.stringify(c.details ?? {})}`)
  expect(unexpected, `${scenario}: warnings not in ACCEPTED_WARNINGS`).toEqual([])
  return result as ScenarioResult
}

const detail = (result: ScenarioResult, id: string) =>
  result.checks?.find((c) => c.id === id)?.details ?? {}

/** Saves one memory through the MCP endpoint so that resources-list has an entry to check. */
async function seedMemory(url: string): Promise<void> {
  const client = new Client({ name: 'mcp-pa-conformance-seed', version: '1.0.0' })
  await client.connect(new StreamableHTTPClientTransport(new URL(url)))
  try {
    const saved = await call(client, 'memory_save', { content: 'conformance seed memory' })
    expect(saved.isError).toBeFalsy()
  } finally {
    await client.close()
  }
}

/** `http://127.0.0.1:PORT` the server really listens on (its endpoint may be a public URL). */
function listeningOrigin(server: SpawnedHttpServer): string {
  const match = / {2}listening: +(http:\/\/127\.0\.0\.1:\d+)/.exec(server.stderr())
  if (match?.[1] === undefined) throw new Error(`no listening line in:\n${server.stderr()}`)
  return match[1]
}

/**
 * A reverse proxy on 127.0.0.1 that adds `Authorization: Bearer <token>` to every request and
 * forwards everything else (method, path, `Host`, `Origin`, body, streamed responses) unchanged.
 */
async function startTokenProxy() {
  let target: { port: number; token: string } | undefined
  let forwarded = 0
  const server: Server = createServer((req, res) => {
    if (target === undefined) {
      res.writeHead(503).end()
      return
    }
    forwarded++
    const upstream = request(
      {
        host: '127.0.0.1',
        port: target.port,
        method: req.method,
        path: req.url,
        headers: { ...req.headers, authorization: `Bearer ${target.token}` },
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      },
    )
    upstream.on('error', () => {
      if (!res.headersSent) res.writeHead(502)
      res.end()
    })
    res.on('close', () => upstream.destroy())
    req.pipe(upstream)
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    origin: `http://127.0.0.1:${port}`,
    forwarded: () => forwarded,
    target(upstreamPort: number, token: string) {
      target = { port: upstreamPort, token }
    },
    async close() {
      server.closeAllConnections()
      await new Promise((done) => server.close(done))
    },
  }
}

/** JSON audit lines the server wrote to stderr. */
const auditEvents = (server: SpawnedHttpServer) =>
  server
    .stderr()
    .split('\n')
    .filter((l) => l.startsWith('{'))
    .map((l) => JSON.parse(l) as Record<string, unknown>)

describe.skipIf(OFF)('MCP conformance suite, server side (pinned npm package)', () => {
  /** Why the suite could not be installed: every test fails in CI and skips elsewhere. */
  let unavailable: string | undefined

  const skipIfUnavailable = (ctx: TestContext) => {
    if (unavailable === undefined) return
    if (IN_CI) throw new Error(unavailable)
    ctx.skip(`${unavailable}\nThis needs npm registry access; in CI (CI=true) it fails instead.`)
  }

  beforeAll(async () => {
    console.log('conformance: installing or reusing the pinned suite (scripts/conformance.sh)')
    const began = Date.now()
    const install = await runner(['--install'], INSTALL_TIMEOUT)
    console.log(`conformance: suite ready check took ${Math.round((Date.now() - began) / 1000)}s`)
    if (install.code === 0) return
    // Exit code 3: the suite or Node >= 22 could not be fetched; anything else is a runner bug.
    const why = `the MCP conformance suite could not be installed: scripts/conformance.sh --install exited ${install.code}`
    if (install.code !== 3) throw new Error(`${why}:\n${install.output}`)
    unavailable = `${why} (no npm registry access?); its output is printed above`
    console.warn(`${IN_CI ? 'FAILING (CI=true)' : 'SKIPPING'}: ${why}:\n${install.output}`)
  }, INSTALL_TIMEOUT + 30_000)

  describe('authentication off on 127.0.0.1, the suite talking to the server directly', () => {
    let server: SpawnedHttpServer | undefined
    let cleanup: (() => Promise<void>) | undefined
    let run: RunnerOutcome | undefined

    beforeAll(async () => {
      if (unavailable !== undefined) return
      const temp = await tempHome()
      cleanup = temp.cleanup
      const config = join(temp.home, '.config', 'mcp-pa')
      await mkdir(config, { recursive: true })
      await writeFile(
        join(config, 'config.json'),
        JSON.stringify({ mode: 'http', authentication: { enabled: false } }),
      )
      server = await spawnHttpServer({ home: temp.home, onLog: (text) => sentinel.log(text) })
      expect(server.stderr()).toMatch(/auth: +OFF \(loopback only\)/)
      await seedMemory(server.url)
      progress('conformance: auth off; prompts-list is expected to FAIL (-32601, no prompts)\n')
      run = await runner(
        [
          '--url',
          server.url,
          '--generic',
          '--scenario',
          'resources-list',
          '--scenario',
          'prompts-list',
        ],
        RUN_TIMEOUT,
      )
    }, RUN_TIMEOUT + 60_000)

    afterAll(async () => {
      if (server !== undefined) expect(await server.stop()).toBe(0)
      await cleanup?.()
    })

    it.for(PASSING)('%s passes', (scenario, ctx) => {
      skipIfUnavailable(ctx)
      expectPassed(run, scenario)
    })

    it('tools-list sees all 11 tools, resources-list the seeded memory', (ctx) => {
      skipIfUnavailable(ctx)
      const tools = expectPassed(run, 'tools-list')
      expect(detail(tools, 'tools-list').toolCount).toBe(11)
      const resources = expectPassed(run, 'resources-list')
      expect(detail(resources, 'resources-list').resourceCount).toBe(1)
    })

    it('prompts-list fails only with -32601: mcp-pa declares no prompts capability', (ctx) => {
      skipIfUnavailable(ctx)
      const result = run?.results.get('prompts-list')
      expect(result?.checks, explain(result, run)).toBeDefined()
      expect(result?.pass).toBe(false)
      const failures = (result?.checks ?? []).filter((c) => c.status === 'FAILURE')
      expect(failures.map((c) => [c.id, c.errorMessage])).toEqual([
        ['prompts-list', 'Failed: MCP error -32601: Method not found'],
      ])
    })
  })

  describe('external IdP with the bearer guard on, through a token-injecting loopback proxy', () => {
    let idp: TestIdp | undefined
    let proxy: Awaited<ReturnType<typeof startTokenProxy>> | undefined
    let server: SpawnedHttpServer | undefined
    let cleanup: (() => Promise<void>) | undefined
    let run: RunnerOutcome | undefined
    let direct: RunnerOutcome | undefined
    let upstream = ''

    beforeAll(
      async () => {
        if (unavailable !== undefined) return
        idp = await startTestIdp()
        sentinel.secret(idp.introspectionClient.clientSecret)
        proxy = await startTokenProxy()
        const temp = await tempHome()
        cleanup = temp.cleanup
        server = await spawnHttpServer({
          home: temp.home,
          env: {
            MCP_OAUTH_PROVIDER: 'external',
            MCP_OAUTH_ISSUER: idp.issuer,
            MCP_PUBLIC_URL: proxy.origin,
          },
          onLog: (text) => sentinel.log(text),
        })
        expect(server.url).toBe(`${proxy.origin}/mcp`)
        upstream = listeningOrigin(server)
        const token = sentinel.secret(
          await idp.tokenFor({
            subject: 'conformance-suite',
            scopes: ALL_SCOPES,
            resource: server.url,
          }),
        )
        proxy.target(Number(new URL(upstream).port), token)
        await seedMemory(server.url)
        run = await runner(
          ['--url', server.url, '--generic', '--scenario', 'resources-list'],
          RUN_TIMEOUT,
        )
        // The same suite straight at the listener, bypassing the proxy: the guard must stop it.
        progress('conformance: bypassing the proxy; server-initialize is expected to FAIL (401)\n')
        direct = await runner(
          ['--url', `${upstream}/mcp`, '--scenario', 'server-initialize'],
          RUN_TIMEOUT,
        )
      },
      RUN_TIMEOUT * 2 + 60_000,
    )

    afterAll(async () => {
      if (server !== undefined) expect(await server.stop()).toBe(0)
      await proxy?.close()
      await idp?.close()
      await cleanup?.()
      sentinel.assertClean()
    })

    it.for(PASSING)('%s passes through the proxy', (scenario, ctx) => {
      skipIfUnavailable(ctx)
      expectPassed(run, scenario)
    })

    it('tools-list sees all 11 tools, resources-list the memory seeded for the token’s user', (ctx) => {
      skipIfUnavailable(ctx)
      expect(detail(expectPassed(run, 'tools-list'), 'tools-list').toolCount).toBe(11)
      const resources = expectPassed(run, 'resources-list')
      expect(detail(resources, 'resources-list').resourceCount).toBe(1)
    })

    it('the guard is in the path: without the proxy the suite gets 401, with it the token is verified', async (ctx) => {
      skipIfUnavailable(ctx)
      const result = direct?.results.get('server-initialize')
      expect(result?.pass, explain(result, direct)).toBe(false)
      // The suite's SDK client reports the 401 as "Error POSTing to endpoint" (no status in it);
      // the audit event below shows that it was the guard's refusal of a missing token.
      expect(explain(result, direct)).toContain('Failed to initialize')
      const events = auditEvents(server as SpawnedHttpServer)
      expect(events.filter((e) => e.type === 'auth.token_refused').map((e) => e.reason)).toEqual([
        'missing',
      ])
      const accepted = events.filter((e) => e.type === 'auth.token_accepted')
      expect(accepted.map((e) => e.subject)).toEqual(['conformance-suite'])
      expect(proxy?.forwarded()).toBeGreaterThan(PASSING.length)

      const bare = await fetch(`${upstream}/mcp`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          accept: 'application/json, text/event-stream',
        },
        body: '{"jsonrpc":"2.0","id":1,"method":"ping"}',
      })
      expect(bare.status).toBe(401)
      expect(bare.headers.get('www-authenticate')).toContain(
        `resource_metadata="${proxy?.origin}/.well-known/oauth-protected-resource/mcp"`,
      )
    })
  })
})
