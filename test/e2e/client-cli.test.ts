import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { readFile, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { Client } from '@modelcontextprotocol/client'
import { StdioClientTransport } from '@modelcontextprotocol/client/stdio'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { DEFAULT_CLIENT_METADATA_URL } from '../../src/auth/client/registration.js'
import { defaultCredentialsDir } from '../../src/auth/client/store/index.js'
import { introspect } from '../support/client-flows.js'
import { startTestIdp, type TestIdp } from '../support/oidc-idp.js'
import { spawnHttpServer, type SpawnedHttpServer } from '../helpers/http-server.js'
import { expectNoTokenIn, runCli, storedCredentials, type CliRun } from '../helpers/cli-run.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { CLI, call, tempHome, textOf } from '../helpers/spawn-client.js'

/**
 * The client commands as users run them (the built CLI, issue 5 items 1 and 7): `login`
 * (headless, through a client ID metadata document and through dynamic registration),
 * `status`, `tools`, `call`, `proxy` (driven by the SDK client over stdio), refresh across
 * processes, and `logout` (RFC 7009 revocation, then a clean "log in again").
 *
 * The server is mcp-pa's own `serve --http` with an EXTERNAL authorization server: a real
 * oidc-provider on loopback that approves flows for `alice` (no browser) and issues opaque,
 * revocable access tokens, which the server verifies by introspection. The built-in
 * authorization server does not exist yet (issue 4); the same tests against it come with it.
 * Access tokens live 30 s, less than the client's 60 s refresh margin, so every process
 * refreshes: refresh across processes is exercised on every command.
 *
 * HOME is a temporary directory per client home; without an OS keychain (CI) the CLI keeps the
 * tokens in its encrypted file backend there, which the test opens to check them.
 */

const ALL = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']
const INTROSPECTION_SECRET_VAR = 'MCP_PA_TEST_INTROSPECTION_SECRET'
const sentinel = logSentinel(import.meta.filename)

let idp: TestIdp
let server: SpawnedHttpServer
let serverHome: { home: string; cleanup: () => Promise<void> }
/** The user who logs in through a client ID metadata document. */
let alice: { home: string; cleanup: () => Promise<void> }
/** Another home that logs in through dynamic client registration. */
let dcr: { home: string; cleanup: () => Promise<void> }

beforeAll(async () => {
  const document = JSON.parse(await readFile('docs/client-metadata.json', 'utf8')) as unknown
  idp = await startTestIdp({
    autoApproveSubject: 'alice',
    accessTokenTtlSeconds: 30,
    clientFlows: {
      registration: true,
      clientMetadataDocuments: { [DEFAULT_CLIENT_METADATA_URL]: document },
    },
  })
  sentinel.secret(idp.introspectionClient.clientSecret)
  serverHome = await tempHome()
  alice = await tempHome()
  dcr = await tempHome()
  const configPath = join(serverHome.home, 'mcp-pa.json')
  const config = {
    mode: 'http',
    authentication: {
      provider: 'external',
      issuer: idp.issuer,
      token_verification: 'introspection',
      introspection_endpoint: idp.introspectionEndpoint,
      introspection_client_id: idp.introspectionClient.clientId,
      introspection_client_secret: `env:${INTROSPECTION_SECRET_VAR}`,
    },
  }
  await writeFile(configPath, JSON.stringify(config, null, 2), { mode: 0o600 })
  server = await spawnHttpServer({
    home: serverHome.home,
    env: { [INTROSPECTION_SECRET_VAR]: idp.introspectionClient.clientSecret },
    args: ['--config', configPath],
    onLog: (text) => sentinel.log(text),
  })
})

afterAll(async () => {
  expect(await server?.stop()).toBe(0)
  await idp?.close()
  await serverHome?.cleanup()
  await alice?.cleanup()
  await dcr?.cleanup()
  sentinel.assertClean()
})

/** Runs the built CLI to its end (stdin not a terminal); every byte it prints goes to the sentinel. */
const cli = (home: string, args: string[], env: Record<string, string> = {}): Promise<CliRun> =>
  runCli(sentinel, home, args, { env })

/** What the CLI stored for the server in `home` (the encrypted file backend), tokens recorded. */
const stored = (home: string) => storedCredentials(sentinel, home, server.url)

/** No token the store ever held for `home` appears in what a command printed. */
async function expectNoToken(home: string, run: CliRun) {
  expectNoTokenIn(run, await stored(home))
}

describe('login, status, tools, call through a client ID metadata document', () => {
  it('login --headless: prints the authorization server, scopes and expiry, never a token', async () => {
    const run = await cli(alice.home, ['login', server.url, '--headless'])
    expect(run.stderr).toMatch(/No OS keychain is available/)
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Logged in to ${server.url}`)
    expect(run.stdout).toContain(`authorization server: ${idp.issuer}`)
    for (const scope of ALL) expect(run.stdout).toContain(scope)
    expect(run.stdout).toMatch(/access token expires: .* UTC \(in \d+ s\)/)
    expect(run.stdout).toContain('refresh token:        yes')
    expect(run.stdout).toContain(`client ID metadata document ${DEFAULT_CLIENT_METADATA_URL}`)
    const credentials = await stored(alice.home)
    expect(credentials?.refresh_token).toEqual(expect.any(String))
    await expectNoToken(alice.home, run)
    expect(await introspect(idp, credentials?.access_token ?? '')).toMatchObject({
      active: true,
      sub: 'alice',
      aud: server.url,
      client_id: DEFAULT_CLIENT_METADATA_URL,
    })
  })

  it('the keychain fallback warning is shown once', async () => {
    const run = await cli(alice.home, ['status'])
    expect(run.code).toBe(0)
    expect(run.stderr).not.toMatch(/No OS keychain is available/)
  })

  it('status lists the server, issuer, scopes and expiry; never a token (text and JSON)', async () => {
    const text = await cli(alice.home, ['status'])
    expect(text.code).toBe(0)
    expect(text.stdout).toContain(server.url)
    expect(text.stdout).toContain(`authorization server: ${idp.issuer}`)
    expect(text.stdout).toContain('memories:write')
    await expectNoToken(alice.home, text)
    const json = await cli(alice.home, ['status', '--json'])
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout) as { store: unknown; servers: unknown[] }
    expect(parsed.store).toEqual({
      kind: 'file',
      location: defaultCredentialsDir(alice.home),
    })
    expect(parsed.servers).toEqual([
      {
        resource: server.url,
        issuer: idp.issuer,
        scopes: expect.arrayContaining(ALL),
        expires_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        expired: false,
        has_refresh_token: true,
        client: { method: 'client_id_metadata_document', client_id: DEFAULT_CLIENT_METADATA_URL },
      },
    ])
    await expectNoToken(alice.home, json)
  })

  it('tools lists the tools with the scopes they need (text and JSON)', async () => {
    const text = await cli(alice.home, ['tools', server.url])
    expect(text.code).toBe(0)
    expect(text.stdout).toMatch(/^memory_save +Remember a piece of information/m)
    expect(text.stdout).toMatch(/scopes: memories:write/)
    const json = await cli(alice.home, ['tools', server.url, '--json'])
    expect(json.code).toBe(0)
    const tools = JSON.parse(json.stdout) as { name: string; scopes?: string[] }[]
    expect(tools.find((t) => t.name === 'memory_get')).toMatchObject({ scopes: ['memories:read'] })
    expect(tools.map((t) => t.name)).toContain('task_create')
    await expectNoToken(alice.home, json)
  })

  it('call writes a memory and reads it back; a tool error exits 1 with its message', async () => {
    const saved = await cli(alice.home, [
      'call',
      server.url,
      'memory_save',
      '--args',
      JSON.stringify({ content: 'saved through mcp-pa call' }),
      '--json',
    ])
    expect(saved.code).toBe(0)
    const id = (JSON.parse(saved.stdout) as { structuredContent: { memory: { id: string } } })
      .structuredContent.memory.id
    const got = await cli(alice.home, [
      'call',
      server.url,
      'memory_get',
      '--args',
      JSON.stringify({ id }),
    ])
    expect(got.code).toBe(0)
    expect(got.stdout).toContain('saved through mcp-pa call')
    const failed = await cli(alice.home, ['call', server.url, 'memory_save', '--args', '{}'])
    expect(failed.code).toBe(1)
    expect(failed.stderr).toMatch(/^mcp-pa: the tool memory_save failed: .*content/m)
    const bad = await cli(alice.home, ['call', server.url, 'memory_save', '--args', '{nope'])
    expect(bad.code).toBe(2)
    expect(bad.stderr).toContain('not valid JSON')
  })
})

describe('refresh across processes', () => {
  it('each process refreshes under the lock; concurrent processes never reuse a rotated refresh token', async () => {
    const before = await stored(alice.home)
    const run = await cli(alice.home, ['tools', server.url])
    expect(run.code).toBe(0)
    const after = await stored(alice.home)
    expect(after?.access_token).not.toBe(before?.access_token)
    expect(after?.expires_at).toBeGreaterThanOrEqual(before?.expires_at ?? 0)
    const runs = await Promise.all(
      [1, 2, 3].map(() => cli(alice.home, ['call', server.url, 'memory_list'])),
    )
    expect(runs.map((r) => [r.code, r.stderr])).toEqual(runs.map(() => [0, '']))
    const last = await stored(alice.home)
    expect(await introspect(idp, last?.access_token ?? '')).toMatchObject({ active: true })
  })
})

describe('proxy: stdio ⇄ Streamable HTTP for desktop apps', () => {
  it('the SDK client over stdio lists tools and calls them; only JSON-RPC on stdout; stdin EOF ends it', async () => {
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
      const listed = await call(client, 'memory_list', {})
      expect(JSON.stringify(listed.structuredContent)).toContain('saved through mcp-pa call')
    } finally {
      await client.close()
      sentinel.log(stderr)
    }
    expect(stderr).toContain(`forwarding stdio to ${server.url}`)
    expect(stderr).toMatch(/stopping \(stdin closed\)/)
    await expectNoToken(alice.home, { code: 0, stdout: '', stderr })
  })

  it('raw newline-delimited JSON-RPC: answers on stdout, a line that is not JSON is skipped; SIGTERM ends it with 0', async () => {
    const child = spawn(process.execPath, [CLI, 'proxy', server.url], {
      env: { PATH: process.env.PATH ?? '', HOME: alice.home },
      stdio: ['pipe', 'pipe', 'pipe'],
    })
    let stderr = ''
    let stdout = ''
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')))
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString('utf8')))
    const initialize = {
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    }
    child.stdin.write(`this is not json\n${JSON.stringify(initialize)}\n`)
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no answer:\n${stderr}`)), 10_000)
      child.stdout.on('data', () => {
        if (stdout.endsWith('\n')) {
          clearTimeout(timer)
          resolve()
        }
      })
    })
    const lines = stdout.trimEnd().split('\n')
    expect(lines).toHaveLength(1)
    expect(JSON.parse(lines[0] ?? '')).toMatchObject({
      jsonrpc: '2.0',
      id: 1,
      result: { protocolVersion: '2025-06-18', serverInfo: { name: 'mcp-pa' } },
    })
    const exited = once(child, 'exit')
    process.kill(child.pid ?? 0, 'SIGTERM')
    const [code] = (await exited) as [number | null]
    sentinel.log(stderr)
    expect(code).toBe(0)
    expect(stderr).toContain('stopping (SIGTERM)')
  })
})

describe('logout', () => {
  it('revokes at the authorization server, deletes the tokens; a following tools says to log in again', async () => {
    const credentials = await stored(alice.home)
    expect(credentials).toBeDefined()
    const run = await cli(alice.home, ['logout', server.url])
    expect(run.code).toBe(0)
    expect(run.stdout).toContain(`Logged out of ${server.url} (authorization server ${idp.issuer})`)
    expect(run.stdout).toContain('Revoked the refresh token and the access token.')
    expect(run.stdout).toContain('Deleted the stored tokens')
    await expectNoToken(alice.home, run)
    expect(await stored(alice.home)).toBeUndefined()
    expect(await introspect(idp, credentials?.access_token ?? '')).toMatchObject({ active: false })
    expect(await introspect(idp, credentials?.refresh_token ?? '')).toMatchObject({
      active: false,
    })

    const tools = await cli(alice.home, ['tools', server.url])
    expect(tools.code).toBe(1)
    expect(tools.stderr).toContain(`mcp-pa login ${server.url}`)
    expect(tools.stderr).not.toMatch(/\n\s+at /) // no stack trace
    const status = await cli(alice.home, ['status'])
    expect(status.stdout).toContain('Not logged in to any server')
    const again = await cli(alice.home, ['logout', server.url])
    expect(again.code).toBe(0)
    expect(again.stdout).toContain(`Not logged in to ${server.url}`)
  })
})

describe('dynamic client registration', () => {
  it('login --no-client-metadata registers a native client; tools works with its tokens', async () => {
    const run = await cli(dcr.home, ['login', server.url, '--headless', '--no-client-metadata'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/client: +dynamically registered client \S+/)
    await expectNoToken(dcr.home, run)
    const tools = await cli(dcr.home, ['tools', server.url])
    expect(tools.code).toBe(0)
    expect(tools.stdout).toContain('task_create')
    const credentials = await stored(dcr.home)
    const claims = await introspect(idp, credentials?.access_token ?? '')
    expect(claims).toMatchObject({ active: true, sub: 'alice', aud: server.url })
    expect(claims.client_id).not.toBe(DEFAULT_CLIENT_METADATA_URL)
  })
})

describe('usage errors', () => {
  it('a secret given as a flag is refused without being echoed', async () => {
    const secret = sentinel.secret('flag-secret-that-must-not-echo')
    const run = await cli(dcr.home, ['login', server.url, `--client-secret=${secret}`])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('--client-secret is not accepted')
    expect(run.stderr).not.toContain(secret)
  })

  it('--client-secret-env names a variable that must be set', async () => {
    const run = await cli(dcr.home, [
      'login',
      server.url,
      '--client-id',
      'someone',
      '--client-secret-env',
      'MCP_PA_UNSET_SECRET',
    ])
    expect(run.code).toBe(2)
    expect(run.stderr).toContain('MCP_PA_UNSET_SECRET')
  })

  it('a missing URL or a non-http URL is a usage error', async () => {
    expect((await cli(dcr.home, ['tools'])).code).toBe(2)
    const ftp = await cli(dcr.home, ['call', 'ftp://example.com/mcp', 'x'])
    expect(ftp.code).toBe(2)
    expect(ftp.stderr).toContain('is not an http(s) URL')
  })
})
