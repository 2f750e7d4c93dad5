import { randomBytes } from 'node:crypto'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  expectNoTokenIn,
  runCli,
  startLogin,
  storedCredentials,
  type CliOptions,
  type CliRun,
} from '../helpers/cli-run.js'
import { spawnHttpServer, type SpawnedHttpServer } from '../helpers/http-server.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { CLI, call, tempHome, textOf } from '../helpers/spawn-client.js'
import { followAuthorization, tokenRequest, type Person } from '../support/builtin-flow.js'
import { mcpInitialize } from '../support/mcp-http.js'

/**
 * The client commands as users run them (the built CLI, issue 5 §7) against mcp-pa's OWN
 * authorization server: `serve --http` with the default provider `builtin`, SQLite in a
 * temporary HOME, the account created with `mcp-pa users add` (password on stdin).
 *
 * `login --headless` cannot get past the built-in server's login page (it only follows
 * redirects, by design), so the test is the person: it runs `login --no-browser`, reads the
 * authorization URL the CLI prints, signs in and consents with the headless person of
 * test/support/builtin-flow.ts and delivers the final redirect to the CLI's loopback listener,
 * as a browser would. The CLI's default client ID metadata document is on the internet, which
 * this server may not fetch here, so the CLI registers dynamically (`--no-client-metadata`).
 *
 * Access tokens live 60 s (MCP_TOKEN_EXPIRY, the minimum), which is the client's refresh margin:
 * every later process refreshes, so refresh across processes (rotation, the cross-process lock)
 * runs on every command. Checklist: DCR-1, PKCE-4, RES-1, ISS-2, RT-1, TOK-6.
 */

const ALL = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']
const sentinel = logSentinel(import.meta.filename)

let server: SpawnedHttpServer
let serverHome: { home: string; cleanup: () => Promise<void> }
let alice: { home: string; cleanup: () => Promise<void> }
let issuer: string
const person: Person = {
  username: 'alice',
  password: sentinel.secret(`pw-${randomBytes(12).toString('base64url')}`),
}

/** Runs the built CLI to its end; `input` is written to its stdin (then closed). */
const cli = (home: string, args: string[], options: CliOptions = {}): Promise<CliRun> =>
  runCli(sentinel, home, args, options)

/**
 * `mcp-pa login <url> --no-browser …`, with the test as the person at the browser: the printed
 * authorization URL is followed through the login and consent pages, and the final redirect is
 * delivered to the CLI's loopback listener. Resolves with the CLI's run and the pages seen.
 */
async function loginAsPerson(home: string, extra: string[] = []) {
  const login = startLogin(sentinel, home, ['login', server.url, '--no-browser', ...extra])
  const url = await login.url
  const { callback, pages } = await followAuthorization(url, person)
  // The browser's last step: the redirect to the CLI's own listener, which takes the code.
  const delivered = await fetch(callback)
  await delivered.body?.cancel()
  const run = await login.finish()
  return { run, url, callback, pages, delivered }
}

/** What the CLI stored for the server in `home` (its encrypted file backend); tokens recorded. */
const stored = (home: string) => storedCredentials(sentinel, home, server.url)

/** No token the store holds for `home` appears in what a command printed. */
async function expectNoToken(home: string, run: CliRun) {
  expectNoTokenIn(run, await stored(home))
}

/** A raw MCP `initialize` with a bearer token: 200 or the guard's 401. */
const initialize = (token: string) => mcpInitialize(server.url, token)

beforeAll(async () => {
  serverHome = await tempHome()
  alice = await tempHome()
  const added = await cli(serverHome.home, ['users', 'add', person.username], {
    input: `${person.password}\n`,
  })
  expect(added.code, added.stderr).toBe(0)
  expect(added.stdout).toMatch(/^Created account alice /)
  server = await spawnHttpServer({
    home: serverHome.home,
    env: { MCP_TOKEN_EXPIRY: '60' },
    onLog: (text) => sentinel.log(text),
  })
  issuer = new URL(server.url).origin
}, 60_000)

afterAll(async () => {
  expect(await server?.stop()).toBe(0)
  await serverHome?.cleanup()
  await alice?.cleanup()
  sentinel.assertClean()
})

describe('login against the built-in authorization server (dynamic client registration)', () => {
  it('login --no-browser: the person signs in and consents; the CLI prints what was granted, never a token', async () => {
    const { run, url, callback, pages, delivered } = await loginAsPerson(alice.home, [
      '--no-client-metadata',
    ])
    expect(run.code, run.stderr).toBe(0)
    expect(pages).toEqual(['login', 'consent'])
    expect(url.origin).toBe(issuer)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('resource')).toBe(server.url)
    expect(callback.searchParams.get('iss')).toBe(issuer)
    expect(delivered.status).toBe(200)
    expect(run.stderr).toContain(`To log in to ${server.url} at ${issuer}, open this URL`)
    expect(run.stderr).toContain(
      'Waiting up to 5 minutes for the sign-in to finish in the browser (Ctrl-C cancels).',
    )
    expect(run.stdout).toContain(`Logged in to ${server.url}`)
    expect(run.stdout).toContain(`authorization server: ${issuer}`)
    for (const scope of ALL) expect(run.stdout).toContain(scope)
    expect(run.stdout).toMatch(/access token expires: .* UTC \(in \d+ s\)/)
    expect(run.stdout).toContain('refresh token:        yes')
    expect(run.stdout).toMatch(/client: +dynamically registered client mcp-pa-\S+/)
    const credentials = await stored(alice.home)
    expect(credentials?.refresh_token).toEqual(expect.any(String))
    await expectNoToken(alice.home, run)
    const claims = decodeJwt(credentials?.access_token ?? '')
    expect(claims).toMatchObject({ iss: issuer, aud: server.url })
    expect(String(claims.scope).split(' ')).toEqual(expect.arrayContaining(ALL))
    expect((await initialize(credentials?.access_token ?? '')).status).toBe(200)
  })

  it('login --no-browser with a client the server refuses fails within seconds, naming the problem; no URL is printed (RFC 6749 §4.1.2.1)', async () => {
    const bob = await tempHome()
    try {
      // An unknown client id: the server shows an error page and would never redirect back.
      const started = Date.now()
      const unknown = await cli(bob.home, [
        'login',
        server.url,
        '--no-browser',
        '--client-id',
        'no-such-client',
      ])
      expect(Date.now() - started).toBeLessThan(10_000)
      expect(unknown.code).toBe(1)
      expect(unknown.stderr).toMatch(
        new RegExp(
          `^mcp-pa: ${issuer}/oauth/authorize refused the authorization request \\(HTTP 400: invalid_client[^)]*\\): it shows the browser an error page and would never redirect back to mcp-pa, so the login stops here\\. Check the client ID`,
          'm',
        ),
      )
      expect(unknown.stderr).not.toContain('/oauth/authorize?')
      expect(unknown.stderr).not.toContain('Waiting up to')
      expect(unknown.stderr).not.toMatch(/\n\s+at /)

      // A known client whose redirect URIs do not include the CLI's loopback one.
      const added = await cli(serverHome.home, [
        'clients',
        'add',
        '--name',
        'Web only',
        '--id',
        'web-only',
        '--redirect-uri',
        'https://app.example/cb',
      ])
      expect(added.code, added.stderr).toBe(0)
      const mismatch = await cli(bob.home, [
        'login',
        server.url,
        '--no-browser',
        '--client-id',
        'web-only',
      ])
      expect(mismatch.code).toBe(1)
      expect(mismatch.stderr).toMatch(
        /refused the authorization request \(HTTP 400: invalid_redirect_uri[^)]*\)[^\n]*The client must allow the redirect URI http:\/\/127\.0\.0\.1:\d+\/callback/,
      )
      expect(mismatch.stderr).not.toContain('/oauth/authorize?')
      expect(await stored(bob.home)).toBeUndefined()
    } finally {
      await bob.cleanup()
    }
  })

  it('status lists the server, issuer, scopes and expiry; never a token (text and JSON)', async () => {
    const text = await cli(alice.home, ['status'])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(server.url)
    expect(text.stdout).toContain(`authorization server: ${issuer}`)
    expect(text.stdout).toContain('memories:write')
    await expectNoToken(alice.home, text)
    const json = await cli(alice.home, ['status', '--json'])
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout) as { servers: unknown[] }
    expect(parsed.servers).toEqual([
      expect.objectContaining({
        resource: server.url,
        issuer,
        scopes: expect.arrayContaining(ALL),
        has_refresh_token: true,
        client: { method: 'dynamic_registration', client_id: expect.stringMatching(/^mcp-pa-/) },
      }),
    ])
    await expectNoToken(alice.home, json)
  })

  it('tools lists the tools with their scopes', async () => {
    const text = await cli(alice.home, ['tools', server.url])
    expect(text.code, text.stderr).toBe(0)
    expect(text.stdout).toMatch(/^memory_save +Remember a piece of information/m)
    expect(text.stdout).toMatch(/scopes: memories:write/)
    await expectNoToken(alice.home, text)
  })

  it('call memory_save then memory_search finds it', async () => {
    const saved = await cli(alice.home, [
      'call',
      server.url,
      'memory_save',
      '--args',
      JSON.stringify({ content: 'saved through the built-in authorization server' }),
      '--json',
    ])
    expect(saved.code, saved.stderr).toBe(0)
    const id = (JSON.parse(saved.stdout) as { structuredContent: { memory: { id: string } } })
      .structuredContent.memory.id
    const found = await cli(alice.home, [
      'call',
      server.url,
      'memory_search',
      '--args',
      JSON.stringify({ query: 'built-in' }),
      '--json',
    ])
    expect(found.code, found.stderr).toBe(0)
    const results = (
      JSON.parse(found.stdout) as { structuredContent: { results: { memory: { id: string } }[] } }
    ).structuredContent.results
    expect(results.map((r) => r.memory.id)).toContain(id)
  })
})

describe('refresh across processes (60 s tokens: every process refreshes)', () => {
  it('a process refreshes and rotates; concurrent processes never reuse a rotated refresh token', async () => {
    const before = await stored(alice.home)
    const run = await cli(alice.home, ['tools', server.url])
    expect(run.code, run.stderr).toBe(0)
    const after = await stored(alice.home)
    expect(after?.access_token).not.toBe(before?.access_token)
    expect(after?.refresh_token).not.toBe(before?.refresh_token)
    const runs = await Promise.all(
      [1, 2, 3].map(() => cli(alice.home, ['call', server.url, 'memory_list'])),
    )
    expect(runs.map((r) => [r.code, r.stderr])).toEqual(runs.map(() => [0, '']))
    const last = await stored(alice.home)
    expect((await initialize(last?.access_token ?? '')).status).toBe(200)
    // Reuse detection would have revoked the grant: nothing in the log says so.
    expect(server.stderr()).not.toContain('as.refresh_reuse_detected')
  })
})

describe('proxy: stdio ⇄ Streamable HTTP for desktop apps', () => {
  it('the SDK client over stdio lists tools and calls them through the proxy', async () => {
    const transport = new StdioClientTransport({
      command: process.execPath,
      args: [CLI, 'proxy', server.url],
      env: { PATH: process.env.PATH ?? '', HOME: alice.home },
      stderr: 'pipe',
    })
    let stderr = ''
    transport.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    const client = new Client({ name: 'desktop-app', version: '1.0.0' })
    await client.connect(transport)
    try {
      const { tools } = await client.listTools()
      expect(tools.map((t) => t.name)).toContain('memory_save')
      const saved = await call(client, 'memory_save', { content: 'saved through the proxy' })
      expect(saved.isError).toBeFalsy()
      const got = await call(client, 'memory_get', { id: saved.structuredContent?.memory.id })
      expect(textOf(got)).toContain('saved through the proxy')
    } finally {
      await client.close()
      sentinel.log(stderr)
    }
    expect(stderr).toContain(`forwarding stdio to ${server.url}`)
    await expectNoToken(alice.home, { code: 0, stdout: '', stderr })
  })
})

describe('logout', () => {
  it(
    'revokes at the built-in server (the refresh token then gets invalid_grant), deletes the tokens; tools says to log in again',
    { timeout: 60_000 },
    async () => {
      const credentials = await stored(alice.home)
      expect(credentials?.refresh_token).toBeDefined()
      const clientId = String(decodeJwt(credentials?.access_token ?? '').client_id)
      const run = await cli(alice.home, ['logout', server.url])
      expect(run.code, run.stderr).toBe(0)
      expect(run.stdout).toContain(`Logged out of ${server.url} (authorization server ${issuer})`)
      expect(run.stdout).toContain('Revoked the refresh token.')
      // RFC 7009 §2.2.1: the engine does not revoke a structured (JWT) access token by itself
      // (unsupported_token_type); revoking the refresh token ends its grant, which the guard sees.
      expect(run.stdout).toContain(
        `${issuer} did not revoke the access token (unsupported_token_type`,
      )
      expect(run.stdout).toContain('Deleted the stored tokens')
      await expectNoToken(alice.home, run)
      expect(await stored(alice.home)).toBeUndefined()

      const refresh = await tokenRequest(issuer, {
        grant_type: 'refresh_token',
        refresh_token: credentials?.refresh_token ?? '',
        client_id: clientId,
        resource: server.url,
      })
      expect(refresh.status).toBe(400)
      expect(refresh.body.error).toBe('invalid_grant')
      // The access token's grant is gone with it: the guard refuses the JWT before it expires,
      // within its grant cache period (DESIGN §5: at most 30 s).
      const deadline = Date.now() + 31_000
      let answer = (await initialize(credentials?.access_token ?? '')).status
      while (answer === 200 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 1000))
        answer = (await initialize(credentials?.access_token ?? '')).status
      }
      expect(answer).toBe(401)

      const tools = await cli(alice.home, ['tools', server.url])
      expect(tools.code).toBe(1)
      expect(tools.stderr).toContain(`mcp-pa login ${server.url}`)
      expect(tools.stderr).not.toMatch(/\n\s+at /)
      const status = await cli(alice.home, ['status'])
      expect(status.stdout).toContain('Not logged in to any server')
    },
  )
})
