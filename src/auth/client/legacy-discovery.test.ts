import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, describe, expect, it } from 'vitest'
import { login, policyForServer } from './authorize-login.js'
import { discover } from './discovery.js'
import type { DiscoveryOptions } from './discovery.js'
import { DiscoveryError } from './discovery-errors.js'
import type { DiscoveryErrorCode } from './discovery-errors.js'
import { challenge, json, routeServer } from './loopback-server-test-support.js'
import type { Route, RouteServer } from './loopback-server-test-support.js'
import { createFileBackend, createTokenStore } from './store/index.js'

/**
 * The legacy path (ASD-8): 2025-03-26 servers publish no protected resource metadata, their
 * origin is the authorization server. Real loopback HTTP servers; each case checks what is
 * (and is not) requested, since the point is that the fallback never engages by accident.
 */

const PRM = '/.well-known/oauth-protected-resource'
const AS = '/.well-known/oauth-authorization-server'
const OIDC = '/.well-known/openid-configuration'
const FAST: DiscoveryOptions = { timeoutMs: 1000 }
/** What a 2025-03-26 server (the SDK's bearer middleware) answers without a token. */
const LEGACY_CHALLENGE = challenge('Bearer error="invalid_token", error_description="Missing"')

const servers: RouteServer[] = []
const dirs: string[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  await Promise.all(dirs.splice(0).map((d) => rm(d, { recursive: true, force: true })))
})

async function serve(routes: (origin: string) => Record<string, Route>) {
  const server = await routeServer(routes)
  servers.push(server)
  return server
}

function metadata(issuer: string, base: string, extra: Record<string, unknown> = {}) {
  return {
    issuer,
    authorization_endpoint: `${base}/authorize`,
    token_endpoint: `${base}/token`,
    registration_endpoint: `${base}/register`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  }
}

async function refusal(promise: Promise<unknown>, code: DiscoveryErrorCode) {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DiscoveryError)
  expect((error as DiscoveryError).code).toBe(code)
  return error as DiscoveryError
}

const gets = (server: RouteServer) =>
  server.requests.filter((r) => r.method === 'GET').map((r) => r.path)

describe('discover: the 2025-03-26 legacy path (ASD-8)', () => {
  it('ASD-8, ASD-5: no PRM anywhere → the origin metadata; its same-origin issuer keys the AS (TOK-6)', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [AS]: json(metadata(`${o}/oauth`, `${o}/oauth`)),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result).toEqual({
      serverUrl: `${rs.origin}/mcp`,
      resource: `${rs.origin}/mcp`,
      resourceMetadataUrl: undefined,
      resourceMetadata: {
        resource: `${rs.origin}/mcp`,
        authorization_servers: [`${rs.origin}/oauth`],
      },
      authorizationServer: {
        issuer: `${rs.origin}/oauth`,
        metadataUrl: `${rs.origin}${AS}`,
        metadata: metadata(`${rs.origin}/oauth`, `${rs.origin}/oauth`),
        legacy: 'origin-metadata',
      },
      challengedScopes: undefined,
    })
    // PRM-6 first (path-suffixed, root), then the origin's RFC 8414 document only.
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM, AS])
  })

  it('ASD-8, ASD-2: OIDC discovery at the origin when RFC 8414 is absent', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [OIDC]: json(metadata(o, o)),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result.authorizationServer).toMatchObject({
      issuer: rs.origin,
      metadataUrl: `${rs.origin}${OIDC}`,
      legacy: 'origin-metadata',
    })
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM, AS, OIDC])
  })

  it('ASD-5: origin metadata naming a foreign-origin issuer is refused, nothing sent there', async () => {
    const foreign = await serve((o) => ({ [AS]: json(metadata(o, o)) }))
    const rs = await serve(() => ({
      '/mcp': LEGACY_CHALLENGE,
      [AS]: json(metadata(foreign.origin, foreign.origin)),
    }))
    const error = await refusal(discover(`${rs.origin}/mcp`, FAST), 'issuer_mismatch')
    expect(error.message).toContain('another origin')
    expect(foreign.requests).toEqual([])
  })

  it('ASD-5: an origin metadata issuer that is not a usable URL is refused', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [AS]: json(metadata('not a url', o)),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'issuer_mismatch')
  })

  it('PKCE-3: origin metadata without S256 is refused (no fallback to the default endpoints)', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [AS]: json(metadata(o, o, { code_challenge_methods_supported: ['plain'] })),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'pkce_unsupported')
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM, AS])
  })

  it('ASD-8: default endpoints only when both PRM and AS metadata are absent; issuer = the origin', async () => {
    const rs = await serve(() => ({ '/mcp': LEGACY_CHALLENGE }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result.resource).toBe(`${rs.origin}/mcp`)
    expect(result.resourceMetadataUrl).toBeUndefined()
    expect(result.authorizationServer).toEqual({
      issuer: rs.origin,
      metadataUrl: undefined,
      metadata: {
        issuer: rs.origin,
        authorization_endpoint: `${rs.origin}/authorize`,
        token_endpoint: `${rs.origin}/token`,
        registration_endpoint: `${rs.origin}/register`,
        code_challenge_methods_supported: [],
      },
      legacy: 'default-endpoints',
    })
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM, AS, OIDC])
  })

  it('ASD-8: AS metadata that cannot be read (HTTP 500) is an error, never the default endpoints', async () => {
    const rs = await serve(() => ({
      '/mcp': LEGACY_CHALLENGE,
      [AS]: { status: 500, body: 'oops' },
    }))
    const error = await refusal(
      discover(`${rs.origin}/mcp`, FAST),
      'no_authorization_server_metadata',
    )
    expect(error.message).toContain('HTTP 500')
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM, AS])
  })
})

describe('discover: the legacy path never replaces a resource metadata problem (PRM-6, PRM-8)', () => {
  /** The AS metadata a fallback would find: it must never be requested below. */
  const bait = (o: string) => ({ [AS]: json(metadata(o, o)), [OIDC]: json(metadata(o, o)) })

  it('PRM-6: a broken PRM document (no authorization_servers) fails hard', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp` }),
      ...bait(o),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'invalid_resource_metadata')
    expect(gets(rs)).toEqual([`${PRM}/mcp`])
  })

  it('PRM-6: a PRM that is not JSON (HTTP 200) fails hard', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [`${PRM}/mcp`]: { body: '<html>' },
      ...bait(o),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'no_resource_metadata')
    expect(gets(rs)).not.toContain(AS)
  })

  it('PRM-8: a PRM for another resource fails hard', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [`${PRM}/mcp`]: json({ resource: 'https://evil.example/mcp', authorization_servers: [o] }),
      ...bait(o),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'resource_mismatch')
    expect(gets(rs)).toEqual([`${PRM}/mcp`])
  })

  it('PRM-6: a resource_metadata URL that answers 404 fails hard (the server claims a PRM)', async () => {
    const rs = await serve((o) => ({
      '/mcp': challenge(`Bearer resource_metadata="${o}/gone"`),
      ...bait(o),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'no_resource_metadata')
    expect(gets(rs)).toEqual(['/gone'])
  })

  it('PRM-6: a PRM lookup that fails with HTTP 503 fails hard', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [`${PRM}/mcp`]: { status: 503 },
      ...bait(o),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'no_resource_metadata')
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM])
  })

  it('a server that does not ask for authorization (200) takes no legacy path', async () => {
    const rs = await serve((o) => ({
      '/mcp': json({ jsonrpc: '2.0', id: 0, result: {} }),
      ...bait(o),
    }))
    const error = await refusal(discover(`${rs.origin}/mcp`, FAST), 'no_resource_metadata')
    expect(error.message).toContain('may not need a login')
    expect(gets(rs)).toEqual([`${PRM}/mcp`, PRM])
  })
})

describe('login on a 2025-03-26 server with no metadata (ASD-8, PKCE-3, TOK-6)', () => {
  it('uses /register, /authorize, /token at the origin, still sends S256 and resource, warns once', async () => {
    let sent = new URLSearchParams()
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      '/register': json({ client_id: 'legacy-client' }, { status: 201 }),
      '/authorize': (req: IncomingMessage) => {
        const query = new URL(req.url ?? '/', o).searchParams
        sent = query
        const target = new URL(query.get('redirect_uri') ?? '')
        target.searchParams.set('code', 'the-code')
        target.searchParams.set('state', query.get('state') ?? '')
        return { status: 302, headers: { location: target.href } }
      },
      '/token': json({ access_token: 'legacy-at', token_type: 'Bearer', expires_in: 3600 }),
    }))
    const dir = await mkdtemp(join(tmpdir(), 'mcp-pa-legacy-'))
    dirs.push(dir)
    const store = createTokenStore(createFileBackend({ dir }), { lockDir: join(dir, 'locks') })
    const server = `${rs.origin}/mcp`
    const discovery = await discover(server, FAST)
    const printed: string[] = []
    const result = await login({
      discovery,
      store,
      policy: policyForServer(server, FAST),
      mode: 'headless',
      print: (line) => printed.push(line),
    })
    expect(printed).toHaveLength(1)
    expect(printed[0]).toMatch(/publishes no OAuth metadata.*2025-03-26.*PKCE.*unconfirmed/)
    expect(sent.get('client_id')).toBe('legacy-client')
    expect(sent.get('code_challenge_method')).toBe('S256')
    expect(sent.get('resource')).toBe(server)
    const token = new URLSearchParams(rs.requests.find((r) => r.path === '/token')?.body ?? '')
    expect(token.get('resource')).toBe(server)
    expect(
      createHash('sha256')
        .update(token.get('code_verifier') ?? '')
        .digest('base64url'),
    ).toBe(sent.get('code_challenge'))
    // TOK-6: keyed by (the origin as issuer, the server URL as resource).
    expect(result.key).toEqual({ issuer: rs.origin, resource: server })
    expect(await store.getClient(rs.origin)).toMatchObject({ client_id: 'legacy-client' })
    expect(rs.requests.map((r) => r.path)).toEqual([
      '/mcp',
      `${PRM}/mcp`,
      PRM,
      AS,
      OIDC,
      '/register',
      '/authorize',
      '/token',
    ])
  })

  it('origin metadata with S256: no warning', async () => {
    const rs = await serve((o) => ({
      '/mcp': LEGACY_CHALLENGE,
      [AS]: json(metadata(`${o}/oauth`, `${o}/oauth`)),
      '/oauth/register': json({ client_id: 'c' }, { status: 201 }),
      '/oauth/authorize': (req: IncomingMessage) => {
        const query = new URL(req.url ?? '/', o).searchParams
        const target = new URL(query.get('redirect_uri') ?? '')
        target.searchParams.set('code', 'x')
        target.searchParams.set('state', query.get('state') ?? '')
        return { status: 302, headers: { location: target.href } }
      },
      '/oauth/token': json({ access_token: 'at', token_type: 'Bearer', expires_in: 60 }),
    }))
    const dir = await mkdtemp(join(tmpdir(), 'mcp-pa-legacy-'))
    dirs.push(dir)
    const store = createTokenStore(createFileBackend({ dir }), { lockDir: join(dir, 'locks') })
    const server = `${rs.origin}/mcp`
    const printed: string[] = []
    const result = await login({
      discovery: await discover(server, FAST),
      store,
      policy: policyForServer(server, FAST),
      mode: 'headless',
      print: (line) => printed.push(line),
    })
    expect(printed).toEqual([])
    expect(result.key).toEqual({ issuer: `${rs.origin}/oauth`, resource: server })
  })
})
