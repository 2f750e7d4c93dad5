import { afterEach, describe, expect, it } from 'vitest'
import {
  authorizationServerMetadataUrls,
  discoverAuthorizationServer,
} from './authorization-server-metadata.js'
import { DiscoveryError } from './discovery-errors.js'
import type { DiscoveryErrorCode } from './discovery-errors.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { clientFetchPolicy } from './url-policy.js'
import type { ClientFetchOptions } from './url-policy.js'

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

const LOCAL: ClientFetchOptions = { trustedHosts: ['127.0.0.1'], timeoutMs: 300 }

/** Metadata for `issuer` with endpoints under it; `extra` overrides (undefined removes). */
function metadata(issuer: string, extra: Record<string, unknown> = {}) {
  const document: Record<string, unknown> = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    response_types_supported: ['code'],
    grant_types_supported: ['authorization_code', 'refresh_token'],
    code_challenge_methods_supported: ['S256'],
    ...extra,
  }
  return Object.fromEntries(Object.entries(document).filter(([, v]) => v !== undefined))
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

describe('authorizationServerMetadataUrls: the probe order (ASD-3, RFC 8414 §3.1)', () => {
  it.each([
    ['https://a.example', [`https://a.example${AS}`, `https://a.example${OIDC}`]],
    ['https://a.example/', [`https://a.example${AS}`, `https://a.example${OIDC}`]],
    [
      'https://a.example/tenant1',
      [
        `https://a.example${AS}/tenant1`,
        `https://a.example${OIDC}/tenant1`,
        `https://a.example/tenant1${OIDC}`,
      ],
    ],
    [
      'https://a.example/t/1/',
      [
        `https://a.example${AS}/t/1`,
        `https://a.example${OIDC}/t/1`,
        `https://a.example/t/1${OIDC}`,
      ],
    ],
    [
      'https://a.example//evil.example',
      [
        `https://a.example${AS}//evil.example`,
        `https://a.example${OIDC}//evil.example`,
        `https://a.example//evil.example${OIDC}`,
      ],
    ],
  ])('%s', (issuer, expected) => {
    expect(authorizationServerMetadataUrls(new URL(issuer)).map(String)).toEqual(expected)
  })
})

describe('discoverAuthorizationServer: layouts (ASD-2, ASD-3; conformance metadata-default, -var1..3)', () => {
  it.each<[string, string, string, string[]]>([
    ['RFC 8414, issuer without a path', '', AS, [AS]],
    ['OIDC only, issuer without a path', '', OIDC, [AS, OIDC]],
    ['RFC 8414 path insertion', '/tenant1', `${AS}/tenant1`, [`${AS}/tenant1`]],
    ['OIDC path insertion', '/tenant1', `${OIDC}/tenant1`, [`${AS}/tenant1`, `${OIDC}/tenant1`]],
    [
      'OIDC path appending',
      '/tenant1',
      `/tenant1${OIDC}`,
      [`${AS}/tenant1`, `${OIDC}/tenant1`, `/tenant1${OIDC}`],
    ],
  ])('%s', async (_name, path, served, asked) => {
    // Root documents naming the root issuer are traps: a path issuer never falls back to them.
    const s = await serve((o) => ({
      [served]: json(metadata(`${o}${path}`)),
      ...(path === '' ? {} : { [AS]: json(metadata(o)), [OIDC]: json(metadata(o)) }),
    }))
    const found = await discoverAuthorizationServer(`${s.origin}${path}`, clientFetchPolicy(LOCAL))
    expect(found.issuer).toBe(`${s.origin}${path}`)
    expect(found.metadataUrl).toBe(`${s.origin}${served}`)
    expect(found.metadata.token_endpoint).toBe(`${s.origin}${path}/token`)
    expect(s.paths()).toEqual(asked)
  })

  it('exposes registration capabilities and revocation (REG-2, CIMD-9)', async () => {
    const s = await serve((o) => ({
      [AS]: json(
        metadata(o, {
          client_id_metadata_document_supported: true,
          registration_endpoint: `${o}/register`,
          revocation_endpoint: `${o}/revoke`,
          authorization_response_iss_parameter_supported: true,
          scopes_supported: ['a', 'offline_access'],
        }),
      ),
    }))
    const { metadata: m } = await discoverAuthorizationServer(s.origin, clientFetchPolicy(LOCAL))
    expect(m).toMatchObject({
      client_id_metadata_document_supported: true,
      registration_endpoint: `${s.origin}/register`,
      revocation_endpoint: `${s.origin}/revoke`,
      authorization_response_iss_parameter_supported: true,
    })
  })

  it('checks grant_types_supported for the grant the client will use (client_credentials …)', async () => {
    const s = await serve((o) => ({
      [AS]: json(metadata(o, { grant_types_supported: ['client_credentials'] })),
    }))
    const policy = clientFetchPolicy(LOCAL)
    const found = await discoverAuthorizationServer(s.origin, policy, 'client_credentials')
    expect(found.metadata.grant_types_supported).toEqual(['client_credentials'])
    const error = await refusal(
      discoverAuthorizationServer(s.origin, policy, 'urn:ietf:params:oauth:grant-type:jwt-bearer'),
      'invalid_authorization_server_metadata',
    )
    expect(error.message).toMatch(/does not list urn:ietf:params:oauth:grant-type:jwt-bearer/)
  })

  it.each<[string, Answer]>([
    [
      'a redirect to a private address',
      { status: 302, headers: { location: 'http://192.168.0.1/' } },
    ],
    ['a timeout', { delayMs: 5000, body: '{}' }],
    ['HTML', { body: '<html>' }],
  ])('moves on after %s', async (_name, answer) => {
    const s = await serve((o) => ({ [AS]: answer, [OIDC]: json(metadata(o)) }))
    const found = await discoverAuthorizationServer(s.origin, clientFetchPolicy(LOCAL))
    expect(found.metadataUrl).toBe(`${s.origin}${OIDC}`)
  })

  it('names every URL tried when none has metadata', async () => {
    const s = await serve(() => ({}))
    const error = await refusal(
      discoverAuthorizationServer(`${s.origin}/tenant1`, clientFetchPolicy(LOCAL)),
      'no_authorization_server_metadata',
    )
    for (const path of [`${AS}/tenant1`, `${OIDC}/tenant1`, `/tenant1${OIDC}`]) {
      expect(error.message).toContain(`${s.origin}${path} answered HTTP 404`)
    }
    expect(s.paths()).not.toContain(AS)
  })
})

describe('discoverAuthorizationServer: the metadata is checked (ASD-5, PKCE-3, URL-1, T-7)', () => {
  it.each<[string, (o: string) => Record<string, unknown>, DiscoveryErrorCode, RegExp]>([
    [
      'another issuer (conformance issuer-mismatch)',
      (o) => metadata(o, { issuer: 'https://evil.example.com' }),
      'issuer_mismatch',
      /names the issuer "https:\/\/evil\.example\.com"; it must be identical to/,
    ],
    [
      'the issuer with a trailing slash',
      (o) => metadata(o, { issuer: `${o}/` }),
      'issuer_mismatch',
      /identical/,
    ],
    [
      'no issuer',
      (o) => metadata(o, { issuer: undefined }),
      'issuer_mismatch',
      /names the issuer none/,
    ],
    [
      'no code_challenge_methods_supported',
      (o) => metadata(o, { code_challenge_methods_supported: undefined }),
      'pkce_unsupported',
      /does not list S256 .*got none/,
    ],
    [
      'plain only',
      (o) => metadata(o, { code_challenge_methods_supported: ['plain'] }),
      'pkce_unsupported',
      /got \["plain"\]/,
    ],
    [
      'an empty method list (conformance pkce-no-s256-support)',
      (o) => metadata(o, { code_challenge_methods_supported: [] }),
      'pkce_unsupported',
      /got \[\]/,
    ],
    [
      'lower-case s256',
      (o) => metadata(o, { code_challenge_methods_supported: ['s256'] }),
      'pkce_unsupported',
      /S256/,
    ],
    [
      'a javascript: authorization_endpoint (URL-1)',
      (o) => metadata(o, { authorization_endpoint: 'javascript:alert(1)' }),
      'invalid_authorization_server_metadata',
      /unusable authorization_endpoint: the authorization_endpoint of .* must be an https URL, not javascript:/,
    ],
    [
      'a plain-http token_endpoint off loopback (T-7)',
      (o) => metadata(o, { token_endpoint: 'http://as.example/token' }),
      'invalid_authorization_server_metadata',
      /unusable token_endpoint: .*plain http/,
    ],
    [
      'a token_endpoint on the metadata service',
      (o) => metadata(o, { token_endpoint: 'https://169.254.169.254/token' }),
      'invalid_authorization_server_metadata',
      /SSRF/,
    ],
    [
      'a registration_endpoint with user information',
      (o) => metadata(o, { registration_endpoint: 'https://u:p@as.example/r' }),
      'invalid_authorization_server_metadata',
      /registration_endpoint.*user information/,
    ],
    [
      'a revocation_endpoint that is not a string',
      (o) => metadata(o, { revocation_endpoint: 42 }),
      'invalid_authorization_server_metadata',
      /revocation_endpoint.*not an absolute URL/,
    ],
    [
      'no token_endpoint',
      (o) => metadata(o, { token_endpoint: undefined }),
      'invalid_authorization_server_metadata',
      /has no token_endpoint/,
    ],
    [
      'no authorization_endpoint',
      (o) => metadata(o, { authorization_endpoint: undefined }),
      'invalid_authorization_server_metadata',
      /has no authorization_endpoint/,
    ],
    [
      'no code response type',
      (o) => metadata(o, { response_types_supported: ['token'] }),
      'invalid_authorization_server_metadata',
      /does not list code in response_types_supported/,
    ],
    [
      'no authorization_code grant',
      (o) => metadata(o, { grant_types_supported: ['client_credentials'] }),
      'invalid_authorization_server_metadata',
      /authorization_code/,
    ],
    [
      'a string CIMD flag',
      (o) => metadata(o, { client_id_metadata_document_supported: 'true' }),
      'invalid_authorization_server_metadata',
      /non-boolean client_id_metadata_document_supported/,
    ],
    [
      'scopes_supported as a string',
      (o) => metadata(o, { scopes_supported: 'a b' }),
      'invalid_authorization_server_metadata',
      /scopes_supported that is not a list/,
    ],
  ])('refuses metadata with %s', async (_name, document, code, message) => {
    // A valid OIDC document behind a bad RFC 8414 one is not a way around the checks.
    const s = await serve((o) => ({ [AS]: json(document(o)), [OIDC]: json(metadata(o)) }))
    const error = await refusal(
      discoverAuthorizationServer(s.origin, clientFetchPolicy(LOCAL)),
      code,
    )
    expect(error.message).toMatch(message)
    expect(s.paths()).toEqual([AS])
  })

  it.each<[string, string, RegExp]>([
    ['plain http off loopback (T-7)', 'http://as.example', /plain http/],
    ['a private address', 'https://10.1.2.3', /10\.1\.2\.3/],
    ['javascript:', 'javascript:alert(1)', /not javascript:/],
    ['a query', 'https://as.example/?tenant=1', /has a query/],
    ['a fragment', 'https://as.example/#x', /fragment/],
    ['not a URL', 'as.example', /not an absolute URL/],
  ])('refuses an issuer with %s before any request', async (_name, issuer, message) => {
    const error = await refusal(
      discoverAuthorizationServer(issuer, clientFetchPolicy()),
      'invalid_issuer',
    )
    expect(error.message).toMatch(message)
  })
})
