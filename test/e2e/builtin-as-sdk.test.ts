import {
  Client,
  StreamableHTTPClientTransport,
  UnauthorizedError,
} from '@modelcontextprotocol/client'
import { decodeJwt } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/audit/index.js'
import { addClient } from '../../src/auth/server/admin/index.js'
import { call, textOf } from '../helpers/spawn-client.js'
import {
  authorizationUrl,
  followAuthorization,
  pkce,
  register,
  tokenRequest,
} from '../support/builtin-flow.js'
import { newPassword, startBuiltinServer, type BuiltinServer } from '../support/builtin-server.js'
import { HeadlessOAuthProvider } from '../support/sdk-oauth-provider.js'

/**
 * The MCP SDK v2 client's own OAuth support against mcp-pa's built-in authorization server
 * (issue 4 §9): `StreamableHTTPClientTransport` with an `authProvider` whose
 * `redirectToAuthorization` is a headless person (logs in, approves), then `finishAuth` with the
 * callback and a new connection — through a client ID metadata document, dynamic client
 * registration and a client pre-registered the way `mcp-pa clients add` does it. Each way ends in
 * tool calls; a second person's data is not the first's.
 * Checklist: PRM-1, ASD-1, ASD-7, CIMD-1, CIMD-6, DCR-1, PKCE-4, RES-3, ISS-2, TOK-8, RT-1.
 */

const REDIRECT = 'http://127.0.0.1:53682/callback'
const CIMD_URL = 'https://client.example/mcp-client.json'
const CIMD_REDIRECT = 'http://127.0.0.1:53683/callback'
/** A public address for the CIMD host: the policy resolves it; nothing is contacted. */
const PUBLIC_ADDRESS = '93.184.216.34'

/** The client ID metadata document the fetch seam serves at CIMD_URL (no network). */
const cimdDocument = {
  client_id: CIMD_URL,
  client_name: 'SDK e2e (metadata document)',
  redirect_uris: [CIMD_REDIRECT],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
  application_type: 'native',
}
const documentFetches: string[] = []
const documentFetch = (async (input: string | URL | Request) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  documentFetches.push(url)
  if (url !== CIMD_URL) return new Response('not found', { status: 404 })
  return new Response(JSON.stringify(cimdDocument), {
    status: 200,
    headers: { 'content-type': 'application/json', 'cache-control': 'max-age=300' },
  })
}) as typeof fetch

describe.each(['sqlite', 'postgres'] as const)('SDK v2 client ⇄ built-in AS on %s', (database) => {
  let as: BuiltinServer
  const alice = { username: 'alice', password: newPassword() }
  const bob = { username: 'bob', password: newPassword() }
  const open: Client[] = []
  let aliceSub: string | undefined

  beforeAll(async () => {
    documentFetches.length = 0
    as = await startBuiltinServer({
      database,
      fetch: documentFetch,
      lookup: async () => [PUBLIC_ADDRESS],
    })
    await as.addAccount(alice.username, alice.password)
    await as.addAccount(bob.username, bob.password)
  })
  afterAll(async () => {
    for (const client of open) await client.close().catch(() => undefined)
    await as?.stop()
  })

  /**
   * The SDK's interactive flow: connect → 401 → discovery, client identity, PKCE authorization
   * (the person follows it) → UnauthorizedError; finishAuth with the callback's parameters
   * (code and iss, RFC 9207); connect again with the tokens.
   */
  async function connect(provider: HeadlessOAuthProvider): Promise<Client> {
    const url = new URL(as.resource)
    const first = new StreamableHTTPClientTransport(url, { authProvider: provider })
    const probe = new Client({ name: 'mcp-pa-sdk-e2e', version: '1.0.0' })
    const refused = await probe.connect(first).then(
      () => undefined,
      (error: unknown) => error,
    )
    expect(refused).toBeInstanceOf(UnauthorizedError)
    await probe.close().catch(() => undefined)
    const callback = provider.callback
    expect(callback?.searchParams.get('error')).toBeNull()
    expect(callback?.searchParams.get('iss')).toBe(as.issuer)
    await first.finishAuth(callback?.searchParams ?? new URLSearchParams())
    const client = new Client({ name: 'mcp-pa-sdk-e2e', version: '1.0.0' })
    await client.connect(new StreamableHTTPClientTransport(url, { authProvider: provider }))
    open.push(client)
    return client
  }

  /** listTools, memory_save, memory_search: the person's own memory comes back. */
  async function useTools(client: Client, content: string, word: string) {
    const { tools } = await client.listTools()
    expect(tools.map((t) => t.name)).toEqual(
      expect.arrayContaining(['memory_save', 'memory_search', 'task_create']),
    )
    const saved = await call(client, 'memory_save', { content, tags: ['sdk-e2e'] })
    expect(saved.isError).toBeFalsy()
    const id = saved.structuredContent?.memory.id as string
    expect(id).toEqual(expect.any(String))
    const found = await call(client, 'memory_search', { query: word })
    expect(found.isError).toBeFalsy()
    const results = found.structuredContent?.results as {
      memory: { id: string; content: string }
    }[]
    expect(results.map((r) => r.memory.id)).toContain(id)
    expect(textOf(found)).toContain(content)
    return id
  }

  const claimsOf = (provider: HeadlessOAuthProvider) =>
    decodeJwt(provider.tokens()?.access_token ?? '')

  it('dynamic client registration: the SDK registers, the person logs in and consents, tools work (DCR-1, PKCE-4)', async () => {
    const provider = new HeadlessOAuthProvider({ person: alice, redirectUrl: REDIRECT })
    const client = await connect(provider)
    const registered = provider.clientInformation()?.client_id
    expect(registered).toMatch(/^mcp-pa-/)
    expect(provider.pages).toEqual(['login', 'consent'])
    const authorization = provider.authorizations[0]
    expect(authorization?.searchParams.get('code_challenge_method')).toBe('S256')
    expect(authorization?.searchParams.get('resource')).toBe(as.resource)
    expect(authorization?.searchParams.get('client_id')).toBe(registered)
    const tokens = provider.tokens()
    expect(tokens?.refresh_token).toEqual(expect.any(String))
    expect(claimsOf(provider)).toMatchObject({
      iss: as.issuer,
      aud: as.resource,
      client_id: registered,
    })
    aliceSub = claimsOf(provider).sub
    await useTools(client, 'Alice likes green tea (dynamic registration)', 'tea')
    const stored = await as.storage.artifacts.find('Client', registered ?? '')
    expect(stored?.payload.mcp_pa_origin).toBe('dcr')
    // The SDK registers with `scope` = the advertised scopes_supported; the engine keeps only its
    // own (the resource's scopes are not client metadata it knows) instead of refusing the client.
    expect(stored?.payload.scope).toBe('offline_access')
  })

  it('an access token the server refuses is refreshed with the refresh token, without the person (RT-1)', async () => {
    const provider = new HeadlessOAuthProvider({ person: alice, redirectUrl: REDIRECT })
    await connect(provider)
    const before = provider.tokens()
    provider.saveTokens({ ...before!, access_token: 'not-a-token' })
    const client = new Client({ name: 'mcp-pa-sdk-e2e', version: '1.0.0' })
    await client.connect(
      new StreamableHTTPClientTransport(new URL(as.resource), { authProvider: provider }),
    )
    open.push(client)
    expect((await client.listTools()).tools.length).toBeGreaterThan(0)
    expect(provider.authorizations).toHaveLength(1)
    const after = provider.tokens()
    expect(after?.access_token).not.toBe('not-a-token')
    expect(after?.refresh_token).not.toBe(before?.refresh_token)
    expect(as.events.some((e) => e.type === 'as.token_issued')).toBe(true)
  })

  it('client ID metadata document: the URL is the client_id; the server fetches it through its policy (CIMD-1, CIMD-6)', async () => {
    const provider = new HeadlessOAuthProvider({
      person: alice,
      redirectUrl: CIMD_REDIRECT,
      clientMetadataUrl: CIMD_URL,
    })
    const client = await connect(provider)
    expect(provider.authorizations[0]?.searchParams.get('client_id')).toBe(CIMD_URL)
    expect(provider.clientInformation()).toMatchObject({ client_id: CIMD_URL })
    expect(documentFetches).toContain(CIMD_URL)
    expect(claimsOf(provider)).toMatchObject({ client_id: CIMD_URL, aud: as.resource })
    // A metadata-document client is not stored as a registration.
    expect(await as.storage.artifacts.find('Client', CIMD_URL)).toBeUndefined()
    await useTools(client, 'Alice reads on Sundays (metadata document)', 'Sundays')
  })

  it('pre-registered client (mcp-pa clients add): no registration, the SDK uses the given client_id', async () => {
    const { client: added } = await addClient(
      as.storage.artifacts,
      { name: 'SDK e2e (pre-registered)', redirectUris: [REDIRECT] },
      { audit: memoryAuditSink() },
    )
    const clientId = String(added.client_id)
    expect(added.mcp_pa_origin).toBe('admin')
    const provider = new HeadlessOAuthProvider({
      person: alice,
      redirectUrl: REDIRECT,
      clientInformation: { client_id: clientId, issuer: as.issuer },
    })
    const client = await connect(provider)
    expect(provider.clientInformation()).toEqual({ client_id: clientId, issuer: as.issuer })
    expect(provider.authorizations[0]?.searchParams.get('client_id')).toBe(clientId)
    expect(claimsOf(provider)).toMatchObject({ client_id: clientId })
    await useTools(client, 'Alice walks the dog at seven (pre-registered)', 'dog')
    // Every way in reached the same account: all three memories are alice's.
    const all = await call(client, 'memory_search', { query: 'Alice', limit: 50 })
    const contents = (all.structuredContent?.results as { memory: { content: string } }[]).map(
      (r) => r.memory.content,
    )
    expect(contents).toEqual(
      expect.arrayContaining([
        'Alice likes green tea (dynamic registration)',
        'Alice reads on Sundays (metadata document)',
        'Alice walks the dog at seven (pre-registered)',
      ]),
    )
  })

  it('an authorization request without scope gets the resource scopes as its default (RFC 6749 §3.3)', async () => {
    // Not the SDK (it always sends scope), but what a generic OAuth client (the conformance
    // suite's authorization-code-grant) does: before the default, the person signed in and
    // consented to nothing, then the client got access_denied.
    const registered = await register(as.issuer, {
      client_name: 'no scope',
      application_type: 'native',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'none',
    })
    expect(registered.status).toBe(201)
    const clientId = registered.body.client_id as string
    const { verifier, challenge } = pkce()
    const url = authorizationUrl(as.issuer, {
      clientId,
      redirectUri: REDIRECT,
      scope: '',
      challenge,
      resource: as.resource,
    })
    url.searchParams.delete('scope')
    const { callback, pages } = await followAuthorization(url, alice)
    expect(pages).toEqual(['login', 'consent'])
    expect(callback.searchParams.get('error')).toBeNull()
    const tokens = await tokenRequest(as.issuer, {
      grant_type: 'authorization_code',
      code: callback.searchParams.get('code') ?? '',
      code_verifier: verifier,
      redirect_uri: REDIRECT,
      client_id: clientId,
      resource: as.resource,
    })
    expect(tokens.status).toBe(200)
    expect(
      String(decodeJwt(tokens.body.access_token as string).scope)
        .split(' ')
        .sort(),
    ).toEqual(['memories:read', 'memories:write', 'tasks:read', 'tasks:write'])
  })

  it('a second person sees only their own data; the same client id does not share it', async () => {
    const provider = new HeadlessOAuthProvider({
      person: bob,
      redirectUrl: CIMD_REDIRECT,
      clientMetadataUrl: CIMD_URL,
    })
    const client = await connect(provider)
    expect(claimsOf(provider).sub).toEqual(expect.any(String))
    expect(claimsOf(provider).sub).not.toBe(aliceSub)
    const nothing = await call(client, 'memory_search', { query: 'Alice' })
    expect(nothing.isError).toBeFalsy()
    expect(nothing.structuredContent?.results).toEqual([])
    const listed = await call(client, 'memory_list', {})
    expect(JSON.stringify(listed.structuredContent)).not.toContain('Alice')
    await useTools(client, 'Bob plays chess on Fridays', 'chess')
  })
})
