import { randomBytes } from 'node:crypto'
import { Client, StreamableHTTPClientTransport } from '@modelcontextprotocol/client'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { hmacJwt, publicJwk, signWith, unpublishedKey, unsignedJwt } from '../support/forge-jwt.js'
import { startTestIdp, type TestIdp } from '../support/oidc-idp.js'
import { spawnHttpServer, type SpawnedHttpServer } from '../helpers/http-server.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { call, tempHome, textOf, type Era } from '../helpers/spawn-client.js'
import { assistantSuite } from './assistant-suite.js'

/**
 * `mcp-pa serve --http` as users run it (the built CLI, SQLite, an external IdP that is a real
 * oidc-provider on loopback): discovery, the negative token matrix over real HTTP with exact
 * statuses and challenges, the SDK v2 client driving every tool with a real token in both
 * protocol eras, step-up, and per-user isolation.
 */

const ALL = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']
const sentinel = logSentinel(import.meta.filename)

let idp: TestIdp
let server: SpawnedHttpServer
let home: string
let cleanup: () => Promise<void>
let resource: string
let metadataUrl: string

const token = async (subject: string, scopes = ALL, audience = resource) =>
  sentinel.secret(await idp.tokenFor({ subject, scopes, resource: audience }))

beforeAll(async () => {
  idp = await startTestIdp()
  sentinel.secret(idp.introspectionClient.clientSecret)
  ;({ home, cleanup } = await tempHome())
  server = await spawnHttpServer({
    home,
    env: { MCP_OAUTH_PROVIDER: 'external', MCP_OAUTH_ISSUER: idp.issuer },
    onLog: (text) => sentinel.log(text),
  })
  resource = server.url
  metadataUrl = `${server.origin}/.well-known/oauth-protected-resource/mcp`
})

afterAll(async () => {
  expect(await server?.stop()).toBe(0)
  await idp?.close()
  await cleanup?.()
  sentinel.assertClean()
})

async function connect(bearer: string, era: Era = 'modern') {
  const transport = new StreamableHTTPClientTransport(new URL(resource), {
    authProvider: { token: async () => bearer },
  })
  const client = new Client(
    { name: 'mcp-pa-http-e2e', version: '1.0.0' },
    { versionNegotiation: { mode: era === 'legacy' ? 'legacy' : 'auto' } },
  )
  await client.connect(transport)
  return { client, close: () => client.close() }
}

const initialize = (headers: Record<string, string> = {}, url = resource) =>
  fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      accept: 'application/json, text/event-stream',
      ...headers,
    },
    body: JSON.stringify({
      jsonrpc: '2.0',
      id: 1,
      method: 'initialize',
      params: {
        protocolVersion: '2025-06-18',
        capabilities: {},
        clientInfo: { name: 'raw', version: '1' },
      },
    }),
  })

describe('discovery (PRM-1…PRM-5, PRM-10)', () => {
  it.each(['/.well-known/oauth-protected-resource/mcp', '/.well-known/oauth-protected-resource'])(
    'GET %s is the RFC 9728 document for the MCP endpoint',
    async (path) => {
      const response = await fetch(`${server.origin}${path}`)
      expect(response.status).toBe(200)
      expect(response.headers.get('content-type')).toContain('application/json')
      expect(await response.json()).toEqual({
        resource,
        authorization_servers: [idp.issuer],
        scopes_supported: ALL,
        bearer_methods_supported: ['header'],
        resource_name: 'mcp-pa personal assistant',
        resource_documentation: expect.stringMatching(/^https:\/\//),
      })
    },
  )

  it('ERR-2 / ERR-3 / PRM-4: no token → 401, challenge with resource_metadata and scope, no error code', async () => {
    const response = await initialize()
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadataUrl}", scope="${ALL.join(' ')}"`,
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
  })
})

describe('the negative token matrix over HTTP (ERR-1, ERR-2, TOK-3, TOK-4, TOK-5)', () => {
  const invalid = (description = 'the access token is invalid or expired') =>
    `Bearer resource_metadata="${metadataUrl}", scope="${ALL.join(' ')}", error="invalid_token", error_description="${description}"`
  const claims = async () => decodeJwt(await token('matrix-user'))
  const cases: [string, () => Promise<string>][] = [
    ['malformed', async () => 'not-a-jwt'],
    [
      'expired',
      async () => {
        const c = await claims()
        return signWith(idp.signingKeys.ES256, { ...c, iat: 1_000_000, exp: 1_000_600 })
      },
    ],
    [
      'not yet valid',
      async () => {
        const c = await claims()
        const soon = Math.floor(Date.now() / 1000) + 3600
        return signWith(idp.signingKeys.ES256, { ...c, nbf: soon, exp: soon + 600 })
      },
    ],
    [
      'wrong issuer',
      async () =>
        signWith(idp.signingKeys.ES256, { ...(await claims()), iss: 'https://evil.example' }),
    ],
    [
      'wrong audience (a real token for another resource)',
      () => token('u', ALL, 'https://other.example/mcp'),
    ],
    ['alg none', async () => unsignedJwt(await claims())],
    [
      'HS256 signed with the IdP public key',
      async () =>
        hmacJwt(JSON.stringify(publicJwk(idp.signingKeys.ES256)), await claims(), {
          kid: idp.signingKeys.ES256.kid,
        }),
    ],
    ['unknown kid', async () => signWith(await unpublishedKey(), await claims())],
  ]
  it.each(cases)('%s → 401 invalid_token', async (_name, make) => {
    const bad = sentinel.secret(await make())
    const response = await initialize({ authorization: `Bearer ${bad}` })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(invalid())
    expect(await response.json()).toEqual({
      error: 'invalid_token',
      error_description: 'the access token is invalid or expired',
    })
  })

  it('TOK-2: a token in the query string → 400 invalid_request, never read', async () => {
    const good = await token('query-user')
    const response = await initialize({}, `${resource}?access_token=${good}`)
    expect(response.status).toBe(400)
    expect(response.headers.get('www-authenticate')).toContain('error="invalid_request"')
  })

  it('another scheme → 400 invalid_request', async () => {
    const response = await initialize({ authorization: 'Basic dXNlcjpwYXNz' })
    expect(response.status).toBe(400)
  })
})

for (const era of ['modern', 'legacy'] as const) {
  assistantSuite(`HTTP + external IdP, ${era} era`, async () =>
    connect(await token(`suite-${era}-${randomBytes(4).toString('hex')}`), era),
  )
}

describe('scopes (ERR-5, ERR-6, ERR-8)', () => {
  it('a read-only token may read but gets 403 insufficient_scope naming memories:write on memory_save', async () => {
    const reader = await token('reader', ['memories:read', 'tasks:read'])
    const session = await connect(reader)
    try {
      const list = await call(session.client, 'memory_list', {})
      expect(list.isError).toBeFalsy()
      await expect(call(session.client, 'memory_save', { content: 'x' })).rejects.toThrow()
    } finally {
      await session.close()
    }
    const response = await fetch(resource, {
      method: 'POST',
      headers: {
        authorization: `Bearer ${reader}`,
        'content-type': 'application/json',
        accept: 'application/json, text/event-stream',
      },
      body: JSON.stringify([
        {
          jsonrpc: '2.0',
          id: 1,
          method: 'tools/call',
          params: { name: 'memory_save', arguments: { content: 'x' } },
        },
        {
          jsonrpc: '2.0',
          id: 2,
          method: 'tools/call',
          params: { name: 'task_create', arguments: { title: 'y' } },
        },
      ]),
    })
    expect(response.status).toBe(403)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${metadataUrl}", scope="memories:write tasks:write", error="insufficient_scope", error_description="this call needs the scopes memories:write tasks:write"`,
    )
  })

  it('ERR-8: a write scope alone is enough to read (documented hierarchy)', async () => {
    const writer = await token('writer', ['memories:write'])
    const session = await connect(writer)
    try {
      expect((await call(session.client, 'memory_list', {})).isError).toBeFalsy()
    } finally {
      await session.close()
    }
  })
})

describe('users and isolation over HTTP', () => {
  it("user B cannot list, read, update, delete or search A's memories and tasks, even with A's ids", async () => {
    const alice = await connect(await token('alice-isolation'))
    const bob = await connect(await token('bob-isolation'))
    try {
      const memory = (
        await call(alice.client, 'memory_save', { content: 'alice secret diary zebra' })
      ).structuredContent?.memory
      const task = (await call(alice.client, 'task_create', { title: 'alice secret task zebra' }))
        .structuredContent?.task
      expect((await call(bob.client, 'memory_list', {})).structuredContent?.memories).toEqual([])
      expect((await call(bob.client, 'task_list', {})).structuredContent?.tasks).toEqual([])
      expect(
        (await call(bob.client, 'memory_search', { query: 'zebra' })).structuredContent?.results,
      ).toEqual([])
      for (const [tool, args] of [
        ['memory_get', { id: memory.id }],
        ['memory_update', { id: memory.id, content: 'bob was here' }],
        ['memory_delete', { id: memory.id }],
        ['task_update', { id: task.id, title: 'bob was here' }],
        ['task_complete', { id: task.id }],
        ['task_delete', { id: task.id }],
      ] as const) {
        const result = await call(bob.client, tool, args)
        expect(result.isError, tool).toBe(true)
        expect(textOf(result), tool).toMatch(/no (memory|task) with id/)
      }
      const still = await call(alice.client, 'memory_get', { id: memory.id })
      expect(still.structuredContent?.memory.content).toBe('alice secret diary zebra')
      const tasks = await call(alice.client, 'task_list', {})
      expect(tasks.structuredContent?.tasks.map((t: { title: string }) => t.title)).toEqual([
        'alice secret task zebra',
      ])
    } finally {
      await alice.close()
      await bob.close()
    }
  })
})

describe('the audit log', () => {
  it('records accepted and refused tokens with fingerprints only', () => {
    const lines = server
      .stderr()
      .split('\n')
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>)
    const types = new Set(lines.map((l) => l.type))
    for (const type of [
      'server.started',
      'auth.token_accepted',
      'auth.token_refused',
      'auth.scope_refused',
    ]) {
      expect(types, type).toContain(type)
    }
    const accepted = lines.find((l) => l.type === 'auth.token_accepted')
    expect(accepted?.fingerprint).toMatch(/^sha256:[0-9a-f]{16}$/)
  })
})
