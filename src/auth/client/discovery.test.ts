import { afterEach, describe, expect, it } from 'vitest'
import { discover, readBearerChallenge, scopeToRequest } from './discovery.js'
import type { DiscoveryOptions } from './discovery.js'
import { DiscoveryError } from './discovery-errors.js'
import type { DiscoveryErrorCode } from './discovery-errors.js'
import { challenge, json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'

const PRM = '/.well-known/oauth-protected-resource'
const AS = '/.well-known/oauth-authorization-server'
const OIDC = '/.well-known/openid-configuration'

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

async function serve(routes: (origin: string) => Record<string, Answer>) {
  const server = await routeServer(routes)
  servers.push(server)
  return server
}

function metadata(issuer: string, extra: Record<string, unknown> = {}) {
  return {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  }
}

/** An authorization server on its own loopback port; `path` is the issuer path. */
async function authorizationServer(path = '', at = path === '' ? AS : `${AS}${path}`) {
  return serve((o) => ({ [at]: json(metadata(`${o}${path}`)) }))
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

const FAST: DiscoveryOptions = { timeoutMs: 500 }

describe('discover: the layouts of the conformance suite (PRM-6, ASD-2, ASD-3)', () => {
  it('metadata-default: resource_metadata in the challenge, RFC 8414 at the root issuer', async () => {
    const as = await authorizationServer()
    const rs = await serve((o) => ({
      '/mcp': challenge(`Bearer resource_metadata="${o}${PRM}/mcp"`),
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: [as.origin] }),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result).toEqual({
      serverUrl: `${rs.origin}/mcp`,
      resource: `${rs.origin}/mcp`,
      resourceMetadataUrl: `${rs.origin}${PRM}/mcp`,
      resourceMetadata: { resource: `${rs.origin}/mcp`, authorization_servers: [as.origin] },
      authorizationServer: {
        issuer: as.origin,
        metadataUrl: `${as.origin}${AS}`,
        metadata: metadata(as.origin),
      },
      challengedScopes: undefined,
    })
    expect(rs.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['POST /mcp', `GET ${PRM}/mcp`])
    // Discovery never holds a token, so it never sends one.
    expect([...rs.requests, ...as.requests].map((r) => r.authorization)).toEqual([
      undefined,
      undefined,
      undefined,
    ])
    expect(JSON.parse(rs.requests[0]?.body ?? '')).toMatchObject({ method: 'initialize' })
  })

  it('metadata-var1: no challenge header, path-suffixed metadata, OIDC discovery only', async () => {
    const as = await authorizationServer('', OIDC)
    const rs = await serve((o) => ({
      '/mcp': challenge(),
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: [as.origin] }),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result.authorizationServer.metadataUrl).toBe(`${as.origin}${OIDC}`)
    expect(as.paths()).toEqual([AS, OIDC])
  })

  it('metadata-var2: root metadata for the whole origin, RFC 8414 path insertion', async () => {
    const as = await authorizationServer('/tenant1')
    const rs = await serve((o) => ({
      '/mcp': challenge(),
      [PRM]: json({ resource: o, authorization_servers: [`${as.origin}/tenant1`] }),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result.resource).toBe(rs.origin) // exactly as published: no slash added
    expect(result.authorizationServer.issuer).toBe(`${as.origin}/tenant1`)
    expect(rs.paths()).toEqual(['/mcp', `${PRM}/mcp`, PRM])
    expect(as.paths()).toEqual([`${AS}/tenant1`])
  })

  it('metadata-var3: a custom metadata location, OIDC path appending', async () => {
    const as = await authorizationServer('/tenant1', `/tenant1${OIDC}`)
    const rs = await serve((o) => ({
      '/mcp': challenge(`Bearer resource_metadata="${o}/custom/metadata/location.json"`),
      '/custom/metadata/location.json': json({
        resource: `${o}/mcp`,
        authorization_servers: [`${as.origin}/tenant1`],
      }),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result.resourceMetadataUrl).toBe(`${rs.origin}/custom/metadata/location.json`)
    expect(as.paths()).toEqual([`${AS}/tenant1`, `${OIDC}/tenant1`, `/tenant1${OIDC}`])
  })
})

describe('discover: the challenge (PRM-7, ERR-3, SCOPE-1)', () => {
  async function withChallenge(...lines: string[]) {
    const as = await authorizationServer()
    const rs = await serve((o) => ({
      '/mcp': challenge(...lines.map((l) => l.replaceAll('ORIGIN', o))),
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: [as.origin] }),
      '/prm': json({ resource: `${o}/mcp`, authorization_servers: [as.origin] }),
    }))
    return { rs, result: await discover(`${rs.origin}/mcp`, FAST) }
  }

  it('reads scope and resource_metadata from the Bearer challenge', async () => {
    const { result } = await withChallenge(
      'Bearer error="invalid_request", scope="files:read  files:write", resource_metadata="ORIGIN/prm"',
    )
    expect(result.challengedScopes).toEqual(['files:read', 'files:write'])
    expect(result.resourceMetadataUrl).toMatch(/\/prm$/)
  })

  it('finds the Bearer challenge among several header lines', async () => {
    const { result } = await withChallenge(
      'DPoP algs="ES256", scope="dpop:only"',
      'Bearer scope="a", resource_metadata="ORIGIN/prm"',
    )
    expect(result.challengedScopes).toEqual(['a'])
    expect(result.resourceMetadataUrl).toMatch(/\/prm$/)
  })

  it('uses a challenge the caller already has, without asking the server', async () => {
    const as = await authorizationServer()
    const rs = await serve((o) => ({
      '/prm': json({ resource: `${o}/mcp`, authorization_servers: [as.origin] }),
    }))
    const wwwAuthenticate = `Bearer error="insufficient_scope", scope="b", resource_metadata="${rs.origin}/prm"`
    const result = await discover(`${rs.origin}/mcp`, { ...FAST, wwwAuthenticate })
    expect(result.challengedScopes).toEqual(['b'])
    expect(rs.paths()).toEqual(['/prm'])
  })
})

describe('discover: several authorization servers, each on its own (PRM-9)', () => {
  it.each<[string, (good: string, bad: RouteServer) => string]>([
    ['one without S256', (_g, bad) => bad.origin],
    ['one on a private address', () => 'https://10.0.0.1'],
    ['one over plain http off loopback', () => 'http://as.example'],
    ['one with no metadata', (_g, bad) => `${bad.origin}/none`],
  ])('skips %s and uses the next', async (_name, first) => {
    const good = await authorizationServer()
    const bad = await serve((o) => ({
      [AS]: json(metadata(o, { code_challenge_methods_supported: ['plain'] })),
    }))
    const listed = [first(good.origin, bad), good.origin]
    const rs = await serve((o) => ({
      '/mcp': challenge(),
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: listed }),
    }))
    const result = await discover(`${rs.origin}/mcp`, FAST)
    expect(result.authorizationServer.issuer).toBe(good.origin)
  })

  it('fails with every reason when none is usable', async () => {
    const bad = await serve((o) => ({
      [AS]: json(metadata(o, { issuer: 'https://evil.example' })),
    }))
    const rs = await serve((o) => ({
      '/mcp': challenge(),
      [`${PRM}/mcp`]: json({
        resource: `${o}/mcp`,
        authorization_servers: [bad.origin, 'https://169.254.169.254'],
      }),
    }))
    const error = await refusal(
      discover(`${rs.origin}/mcp`, FAST),
      'no_usable_authorization_server',
    )
    expect(error.problems.map((p) => p.code)).toEqual(['issuer_mismatch', 'invalid_issuer'])
    expect(error.message).toMatch(/none of the 2 authorization servers is usable/)
  })

  it('fails with the reason itself when the only one is not usable', async () => {
    const bad = await serve((o) => ({
      [AS]: json(metadata(o, { code_challenge_methods_supported: undefined })),
    }))
    const rs = await serve((o) => ({
      '/mcp': challenge(),
      [`${PRM}/mcp`]: json({ resource: `${o}/mcp`, authorization_servers: [bad.origin] }),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'pkce_unsupported')
  })
})

describe('discover: refusals', () => {
  it('stops at a resource mismatch before contacting any authorization server (PRM-8)', async () => {
    const as = await authorizationServer()
    const rs = await serve(() => ({
      '/mcp': challenge(),
      [`${PRM}/mcp`]: json({
        resource: 'https://evil.example.com/mcp',
        authorization_servers: [as.origin],
      }),
    }))
    await refusal(discover(`${rs.origin}/mcp`, FAST), 'resource_mismatch')
    expect(as.requests).toEqual([])
  })

  it.each<[string, Answer, RegExp]>([
    [
      '200 (no login needed)',
      json({ jsonrpc: '2.0', id: 0, result: {} }),
      /answered HTTP 200 to a request without a token: it may not need a login at all/,
    ],
    ['404 (a wrong URL)', { status: 404 }, /answered HTTP 404 to a request without a token$/],
  ])('explains a server that answers %s and has no metadata', async (_name, answer, message) => {
    const rs = await serve(() => ({ '/mcp': answer }))
    const error = await refusal(discover(`${rs.origin}/mcp`, FAST), 'no_resource_metadata')
    expect(error.message).toMatch(message)
  })

  it.each<[string, Answer, string]>([
    ['a slow server', { delayMs: 5000 }, 'timeout'],
    [
      'a redirect',
      { status: 307, headers: { location: 'https://169.254.169.254/' } },
      'redirect_refused',
    ],
  ])('reports %s as unreachable', async (_name, answer, cause) => {
    const rs = await serve(() => ({ '/mcp': answer }))
    const error = await refusal(
      discover(`${rs.origin}/mcp`, { timeoutMs: 150 }),
      'server_unreachable',
    )
    expect((error.cause as { code?: string }).code).toBe(cause)
  })

  it.each([
    ['not a URL', 'mcp.example/mcp', /cannot use the MCP server URL: it is not an absolute URL/],
    ['ftp', 'ftp://mcp.example/mcp', /must be http\(s\)/],
    ['user information', 'https://u:p@mcp.example/mcp', /user information/],
    ['plain http off loopback (T-7)', 'http://mcp.example/mcp', /plain http/],
  ])('refuses a server URL that is %s', async (_name, url, message) => {
    const error = await refusal(discover(url, FAST), 'invalid_server_url')
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('u:p@')
  })
})

describe('discover: the server’s host is trusted, other private targets are not (SBP SSRF)', () => {
  /** The MCP server at http://mcp.test:<port> (test DNS → 127.0.0.1): not a loopback *name*. */
  async function remoteServer(routes: (resourceOrigin: string) => Record<string, Answer>) {
    const rs = await serve((o) => routes(o.replace('127.0.0.1', 'mcp.test')))
    const resolve = async (host: string) => {
      if (host === 'mcp.test') return ['127.0.0.1']
      if (host === 'internal.test') return ['10.0.0.9']
      throw new Error('ENOTFOUND')
    }
    const options: DiscoveryOptions = { ...FAST, dangerouslyAllowHttp: true, resolve }
    return { rs, url: `http://mcp.test:${rs.port}/mcp`, options }
  }

  it('allows metadata and an authorization server on the server’s own host', async () => {
    const { rs, url, options } = await remoteServer((o) => ({
      '/mcp': challenge(`Bearer resource_metadata="${o}/prm"`),
      '/prm': json({ resource: `${o}/mcp`, authorization_servers: [`${o}/as`] }),
      [`${AS}/as`]: json(metadata(`${o}/as`)),
    }))
    const result = await discover(url, options)
    expect(result.authorizationServer.issuer).toBe(`http://mcp.test:${rs.port}/as`)
  })

  it.each([
    ['a loopback literal', (port: number) => `http://127.0.0.1:${port}`, 'invalid_issuer'],
    [
      'a name resolving to a private address',
      () => 'https://internal.test',
      'no_authorization_server_metadata',
    ],
  ])('refuses an authorization server at %s', async (_name, issuer, code) => {
    const { rs, url, options } = await remoteServer((o) => ({
      '/mcp': challenge(),
      [`${PRM}/mcp`]: json({
        resource: `${o}/mcp`,
        authorization_servers: [issuer(Number(o.split(':')[2]))],
      }),
    }))
    const error = await refusal(discover(url, options), code as DiscoveryErrorCode)
    expect(error.message).toMatch(/private, loopback, link-local or reserved address/)
    expect(rs.paths()).toEqual(['/mcp', `${PRM}/mcp`])
  })

  it('refuses resource_metadata on a loopback address of another host', async () => {
    const { url, options } = await remoteServer((o) => ({
      '/mcp': challenge(`Bearer resource_metadata="http://127.0.0.1:${o.split(':')[2]}/prm"`),
    }))
    const error = await refusal(discover(url, options), 'no_resource_metadata')
    expect((error.cause as { code?: string }).code).toBe('forbidden_address')
  })
})

describe('readBearerChallenge and scopeToRequest (SCOPE-1, ERR-4)', () => {
  it.each([
    [null, {}],
    ['Basic realm="x"', {}],
    ['Bearer scope=""', {}],
    ['Bearer scope="a b a"', { scopes: ['a', 'b'] }],
    ['Bearer error="invalid_token"', { error: 'invalid_token' }],
    ['DPoP resource_metadata="https://h/prm"', { resourceMetadata: 'https://h/prm' }],
    [
      'Bearer resource_metadata="https://h/a", DPoP resource_metadata="https://h/b"',
      { resourceMetadata: 'https://h/a' },
    ],
  ])('%s', (header, expected) => {
    expect(readBearerChallenge(header)).toEqual(expected)
  })

  it.each<[string, string[] | undefined, string[] | undefined, string[] | undefined]>([
    ['the challenge wins', ['c'], ['a', 'b'], ['c']],
    ['a challenged scope outside scopes_supported is still requested (ERR-4)', ['z'], ['a'], ['z']],
    ['else every supported scope', undefined, ['a', 'b'], ['a', 'b']],
    ['an empty challenge falls through', [], ['a'], ['a']],
    ['else omitted', undefined, undefined, undefined],
    ['an empty scopes_supported is omitted too', undefined, [], undefined],
  ])('%s', (_name, challenged, supported, expected) => {
    const prm = supported === undefined ? {} : { scopes_supported: supported }
    expect(scopeToRequest(challenged, prm)).toEqual(expected)
  })
})
