import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { createFileBackend, createTokenStore } from '../../src/auth/client/store/index.js'
import type { TokenStore } from '../../src/auth/client/store/index.js'
import {
  authorizedFetch,
  connectClient,
  ConnectionError,
  ensureLogin,
} from '../../src/cli/client/connection.js'
import type { ConnectionOptions } from '../../src/cli/client/connection.js'
import { spawnHttpServer, type SpawnedHttpServer } from '../helpers/http-server.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { tempHome } from '../helpers/spawn-client.js'
import { JWT_CLIENT_ID, startTestIdp, type TestIdp } from '../support/oidc-idp.js'

/**
 * The CLI's connection module against mcp-pa's own HTTP server (the built CLI, an external IdP
 * that is a real oidc-provider on loopback): a headless login on the first 401, tools/list with
 * the stored token, reuse of that token by a later connection that may not log in, the login
 * hint when nothing is stored, and a refused token replaced by a new login. The pre-registered
 * public client is the IdP's JWT client (its access tokens are JWTs the server verifies).
 * Step-up and the other scenarios of the OAuth flow are held to the MCP conformance suite
 * (test/conformance/client.test.ts).
 */

const sentinel = logSentinel(import.meta.filename)

let idp: TestIdp
let server: SpawnedHttpServer
let cleanup: () => Promise<void>
let dir: string
let store: TokenStore
const printed: string[] = []

beforeAll(async () => {
  idp = await startTestIdp({ autoApproveSubject: 'alice' })
  sentinel.secret(idp.introspectionClient.clientSecret)
  const temp = await tempHome()
  cleanup = temp.cleanup
  server = await spawnHttpServer({
    home: temp.home,
    env: { MCP_OAUTH_PROVIDER: 'external', MCP_OAUTH_ISSUER: idp.issuer },
    onLog: (text) => sentinel.log(text),
  })
}, 60_000)

afterAll(async () => {
  expect(await server?.stop()).toBe(0)
  await idp?.close()
  await cleanup?.()
  sentinel.assertClean()
})

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-pa-connection-'))
  store = createTokenStore(createFileBackend({ dir }), { lockDir: join(dir, 'locks') })
  printed.length = 0
})
afterEach(async () => {
  // Every token the store ever held must appear in no printed line and no server log line.
  for (const summary of await store.list()) {
    const stored = await store.get(summary)
    if (stored !== undefined) sentinel.secret(stored.access_token)
  }
  for (const line of printed) sentinel.log(`${line}\n`)
  await rm(dir, { recursive: true, force: true })
})

function options(extra: Partial<ConnectionOptions> = {}): ConnectionOptions {
  return {
    serverUrl: server.url,
    store,
    mode: 'headless',
    print: (line) => printed.push(line),
    preRegistered: { clientId: JWT_CLIENT_ID },
    clientMetadataUrl: false,
    ...extra,
  }
}

async function toolNames(extra: Partial<ConnectionOptions> = {}) {
  const { client, close } = await connectClient(options(extra))
  try {
    return (await client.listTools()).tools.map((t) => t.name)
  } finally {
    await close()
  }
}

describe('connectClient against mcp-pa serve --http with an external IdP', () => {
  it('logs in headless on the first 401, lists the tools, and stores the credentials', async () => {
    const names = await toolNames()
    expect(names).toContain('memory_save')
    expect(names).toHaveLength(11)
    const stored = await store.list()
    expect(stored.map((s) => [s.issuer, s.resource])).toEqual([[idp.issuer, server.url]])
  })

  it('a later connection that may not log in reuses the stored token', async () => {
    await toolNames()
    const before = await store.get({ issuer: idp.issuer, resource: server.url })
    expect(await toolNames({ mode: 'never' })).toHaveLength(11)
    const after = await store.get({ issuer: idp.issuer, resource: server.url })
    expect(after?.access_token === before?.access_token).toBe(true)
  })

  it('mode never with nothing stored: a ConnectionError naming mcp-pa login, no request to the IdP', async () => {
    const error = await toolNames({ mode: 'never' }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConnectionError)
    expect((error as ConnectionError).code).toBe('login_required')
    expect((error as Error).message).toContain(`mcp-pa login ${server.url}`)
    expect(await store.list()).toEqual([])
  })

  it('a token the server refuses is replaced by a new login (no refresh token here), once', async () => {
    await toolNames()
    const key = { issuer: idp.issuer, resource: server.url }
    const stored = await store.get(key)
    expect(stored).toBeDefined()
    await store.put(key, { ...(stored as NonNullable<typeof stored>), access_token: 'forged' })
    expect(await toolNames()).toHaveLength(11)
    const replaced = await store.get(key)
    expect(replaced?.access_token === 'forged').toBe(false)
  })

  it('refuses plain http off loopback before sending anything', () => {
    expect(() => authorizedFetch(options({ serverUrl: 'http://example.com/mcp' }))).toThrow(
      ConnectionError,
    )
  })
})

describe('ensureLogin', () => {
  it('logs in once, then reports the stored login as reused', async () => {
    const first = await ensureLogin(options())
    expect(first.reused).toBe(false)
    expect(first.discovery.resource).toBe(server.url)
    expect(first.key).toEqual({ issuer: idp.issuer, resource: server.url })
    const second = await ensureLogin(options({ mode: 'never' }))
    expect(second.reused).toBe(true)
    expect(second.credentials.access_token === first.credentials.access_token).toBe(true)
    const forced = await ensureLogin({ ...options(), force: true })
    expect(forced.reused).toBe(false)
  })
})
