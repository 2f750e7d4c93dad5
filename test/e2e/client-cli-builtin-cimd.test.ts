import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { runCli, startLogin, storedCredentials, type CliRun } from '../helpers/cli-run.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { tempHome } from '../helpers/spawn-client.js'
import { followAuthorization, type Person } from '../support/builtin-flow.js'
import { newPassword, startBuiltinServer, type BuiltinServer } from '../support/builtin-server.js'

/**
 * The built CLI logs in to mcp-pa's OWN authorization server through a client ID metadata
 * document (issue 5 §7): `login <url> --no-browser --client-metadata-url URL`. The server runs in
 * this process (test/support/builtin-server.ts) so its CIMD fetch seam serves the document and
 * its DNS seam resolves the document host to a public address: nothing leaves the machine. The
 * test is the person at the browser (signs in, reads the consent page, consents) and delivers the
 * final redirect to the CLI's loopback listener.
 *
 * Checklist: CIMD-1 (the document URL is the client_id), CIMD-5 (the document's client_id must
 * equal its URL), CIMD-6 (fetch policy through the lookup seam), REG-2 (CIMD before DCR), PKCE-4,
 * RES-1, ISS-2.
 */

const CIMD_URL = 'https://cli.example/mcp-pa-client.json'
/** A document that claims another client_id than the URL it is served at (CIMD-5). */
const MISMATCHED_URL = 'https://cli.example/mismatched-client.json'
const ALL = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']

/** The shape of docs/client-metadata.json, with this test's URL as its client_id. */
const documentFor = (clientId: string) => ({
  client_id: clientId,
  client_name: 'mcp-pa',
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  token_endpoint_auth_method: 'none',
})

const documents = new Map<string, unknown>([
  [CIMD_URL, documentFor(CIMD_URL)],
  [MISMATCHED_URL, documentFor(CIMD_URL)],
])
const fetched: string[] = []
/** The server's CIMD fetch seam: serves the documents above, 404 for anything else. */
const seamFetch = (async (input: string | URL | Request) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  fetched.push(url)
  const document = documents.get(url)
  if (document === undefined) return new Response('not found', { status: 404 })
  return new Response(JSON.stringify(document), {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'max-age=60' },
  })
}) as typeof fetch

const sentinel = logSentinel(import.meta.filename)
let as: BuiltinServer
let alice: { home: string; cleanup: () => Promise<void> }
let mallory: { home: string; cleanup: () => Promise<void> }
const person: Person = { username: 'alice', password: sentinel.secret(newPassword()) }

/** Runs the built CLI to its end. */
const cli = (home: string, args: string[]): Promise<CliRun> =>
  runCli(sentinel, home, args, { timeoutMs: 20_000 })

interface SeenPage {
  kind: 'login' | 'consent'
  html: string
}

/**
 * `mcp-pa login <resource> --no-browser --client-metadata-url URL`, with the test as the person:
 * the printed authorization URL is followed, and the final redirect delivered to the CLI.
 */
async function loginAsPerson(home: string, documentUrl: string) {
  const login = startLogin(
    sentinel,
    home,
    ['login', as.resource, '--no-browser', '--client-metadata-url', documentUrl],
    { urlTimeoutMs: 15_000 },
  )
  const url = await login.url
  const pages: SeenPage[] = []
  let callback: URL
  try {
    ;({ callback } = await followAuthorization(url, person, undefined, (kind, html) =>
      pages.push({ kind, html }),
    ))
  } catch (error) {
    await login.cancel()
    throw error
  }
  const delivered = await fetch(callback)
  await delivered.body?.cancel()
  const run = await login.finish(15_000)
  return { url, seen: { callback, pages }, delivered, run }
}

/** What the CLI stored in `home` for the server (encrypted file backend); tokens recorded. */
const stored = (home: string) => storedCredentials(sentinel, home, as.resource)

beforeAll(async () => {
  as = await startBuiltinServer({
    fetch: seamFetch,
    // The CIMD policy's DNS: cli.example is public. Nothing is contacted (the fetch seam answers).
    lookup: async () => ['93.184.216.34'],
  })
  await as.addAccount(person.username, person.password)
  alice = await tempHome()
  mallory = await tempHome()
}, 30_000)

afterAll(async () => {
  await as?.stop()
  await alice?.cleanup()
  await mallory?.cleanup()
  sentinel.assertClean()
})

describe('login through a client ID metadata document at the built-in server', () => {
  it('login --no-browser --client-metadata-url: the URL is the client_id, no registration, the consent page shows the document host (CIMD-1, REG-2)', async () => {
    const { url, seen, delivered, run } = await loginAsPerson(alice.home, CIMD_URL)
    expect(run?.code, run?.stderr).toBe(0)
    expect(delivered?.status).toBe(200)
    expect(url.origin).toBe(as.issuer)
    expect(url.searchParams.get('client_id')).toBe(CIMD_URL)
    expect(url.searchParams.get('code_challenge_method')).toBe('S256')
    expect(url.searchParams.get('resource')).toBe(as.resource)
    expect(seen.callback?.searchParams.get('iss')).toBe(as.issuer)
    expect(fetched).toContain(CIMD_URL)

    expect(seen.pages.map((p) => p.kind)).toEqual(['login', 'consent'])
    const consent = seen.pages[1]?.html ?? ''
    expect(consent).toMatch(/<h1 class="client-host">cli\.example<\/h1>/)
    expect(consent).toContain(
      'Identified by its metadata document at <strong class="break">cli.example</strong>',
    )

    expect(run?.stdout).toContain(`Logged in to ${as.resource}`)
    expect(run?.stdout).toContain(`authorization server: ${as.issuer}`)
    expect(run?.stdout).toContain(`client:               client ID metadata document ${CIMD_URL}`)
    for (const scope of ALL) expect(run?.stdout).toContain(scope)

    // No dynamic registration happened; the token was issued to the document URL.
    expect(as.events.filter((e) => e.type === 'as.client_registered')).toEqual([])
    expect(as.events).toContainEqual(
      expect.objectContaining({
        type: 'as.token_issued',
        grantType: 'authorization_code',
        clientId: CIMD_URL,
      }),
    )
    expect(await as.storage.artifacts.find('Client', CIMD_URL)).toBeUndefined()
    const credentials = await stored(alice.home)
    expect(credentials?.refresh_token).toEqual(expect.any(String))
    for (const token of [credentials?.access_token, credentials?.refresh_token]) {
      expect(run?.stdout).not.toContain(token)
      expect(run?.stderr).not.toContain(token)
    }
  })

  it('status --json names the metadata document as the client', async () => {
    const run = await cli(alice.home, ['status', '--json'])
    expect(run.code, run.stderr).toBe(0)
    const parsed = JSON.parse(run.stdout) as { servers: unknown[] }
    expect(parsed.servers).toEqual([
      expect.objectContaining({
        resource: as.resource,
        issuer: as.issuer,
        client: { method: 'client_id_metadata_document', client_id: CIMD_URL },
      }),
    ])
  })

  it('tools and call memory_save work with the token', async () => {
    const tools = await cli(alice.home, ['tools', as.resource])
    expect(tools.code, tools.stderr).toBe(0)
    expect(tools.stdout).toMatch(/^memory_save +Remember a piece of information/m)
    const saved = await cli(alice.home, [
      'call',
      as.resource,
      'memory_save',
      '--args',
      JSON.stringify({ content: 'saved by a metadata-document client' }),
      '--json',
    ])
    expect(saved.code, saved.stderr).toBe(0)
    const result = JSON.parse(saved.stdout) as {
      structuredContent: { memory: { id: string; content: string } }
    }
    expect(result.structuredContent.memory.content).toBe('saved by a metadata-document client')
    expect(as.events).toContainEqual(
      expect.objectContaining({ type: 'tool.called', tool: 'memory_save', ok: true }),
    )
  })

  it('logout revokes at the server and deletes the stored tokens', async () => {
    const run = await cli(alice.home, ['logout', as.resource])
    expect(run.code, run.stderr).toBe(0)
    expect(run.stdout).toContain(`Logged out of ${as.resource} (authorization server ${as.issuer})`)
    expect(run.stdout).toContain('Revoked the refresh token.')
    expect(run.stdout).toContain('Deleted the stored tokens')
    expect(await stored(alice.home)).toBeUndefined()
    expect(as.events).toContainEqual(
      expect.objectContaining({
        type: 'as.token_revoked',
        clientId: CIMD_URL,
        kind: 'refresh_token',
      }),
    )
    const status = await cli(alice.home, ['status'])
    expect(status.stdout).toContain('Not logged in to any server')
  })
})

describe('a document whose client_id is not its URL (CIMD-5)', () => {
  // CIMD-5 asks for invalid_client or invalid_request; the engine answers invalid_client_metadata.
  const problem = 'client_id metadata document client_id does not match the expected value'

  it('login --headless: the CLI fails with a message naming the problem; no stack trace, nothing stored', async () => {
    const run = await cli(mallory.home, [
      'login',
      as.resource,
      '--headless',
      '--client-metadata-url',
      MISMATCHED_URL,
    ])
    expect(run.code).toBe(1)
    expect(run.stdout).toBe('')
    expect(run.stderr).toContain(
      `mcp-pa: ${as.issuer}/oauth/authorize refused the authorization request (HTTP 400: invalid_client_metadata: ${problem})`,
    )
    expect(run.stderr).not.toContain('it wants a person')
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(fetched).toContain(MISMATCHED_URL)
    expect(await stored(mallory.home)).toBeUndefined()
    expect(as.events).not.toContainEqual(expect.objectContaining({ clientId: MISMATCHED_URL }))
  })

  it('login --no-browser: the server answers with an error page, never a redirect (REDIR-4), so the CLI stops at once instead of waiting', async () => {
    // The person's browser would get the same error page, and nothing would ever reach the CLI's
    // listener: the pre-flight check of the URL reports the error before printing it.
    const started = Date.now()
    const run = await cli(mallory.home, [
      'login',
      as.resource,
      '--no-browser',
      '--client-metadata-url',
      MISMATCHED_URL,
    ])
    expect(Date.now() - started).toBeLessThan(10_000)
    expect(run.code).toBe(1)
    expect(run.stderr).toContain(
      `mcp-pa: ${as.issuer}/oauth/authorize refused the authorization request (HTTP 400: invalid_client_metadata: ${problem}): it shows the browser an error page and would never redirect back to mcp-pa, so the login stops here. Check the client ID metadata document`,
    )
    expect(run.stderr).not.toContain('/oauth/authorize?')
    expect(run.stderr).not.toMatch(/\n\s+at /)
    expect(await stored(mallory.home)).toBeUndefined()
  })
})
