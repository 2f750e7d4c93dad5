import { afterEach, describe, expect, it } from 'vitest'
import {
  authorizationServerMetadataUrls,
  discoverAuthorizationServerMetadata,
  discoverIntrospectionEndpoint,
  discoverJwksUri,
  DiscoveryError,
} from './discovery.js'
import type { PeerAnswer } from './test-support.js'
import { metadataServer } from './test-support.js'

const AS = '/.well-known/oauth-authorization-server'
const OIDC = '/.well-known/openid-configuration'

const servers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

type Documents = Record<string, Record<string, unknown> | { peer: PeerAnswer }>

async function serve(documents: (origin: string) => Documents) {
  const server = await metadataServer(documents)
  servers.push(server)
  return server
}

async function discoveryError(promise: Promise<unknown>): Promise<DiscoveryError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(DiscoveryError)
  return error as DiscoveryError
}

describe('authorizationServerMetadataUrls: the probe order (ASD-3, RFC 8414 §3.1)', () => {
  it.each([
    ['https://a.example', [`https://a.example${AS}`, `https://a.example${OIDC}`]],
    ['https://a.example/', [`https://a.example${AS}`, `https://a.example${OIDC}`]],
    [
      'https://a.example/t1',
      [`https://a.example${AS}/t1`, `https://a.example${OIDC}/t1`, `https://a.example/t1${OIDC}`],
    ],
    [
      'https://a.example/t1/',
      [`https://a.example${AS}/t1`, `https://a.example${OIDC}/t1`, `https://a.example/t1${OIDC}`],
    ],
    [
      'http://127.0.0.1:9000/x/y',
      [
        `http://127.0.0.1:9000${AS}/x/y`,
        `http://127.0.0.1:9000${OIDC}/x/y`,
        `http://127.0.0.1:9000/x/y${OIDC}`,
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
  ])('%s', (issuer, urls) => {
    expect(authorizationServerMetadataUrls(issuer).map(String)).toEqual(urls)
  })

  it.each([
    ['http off loopback (T-7)', 'http://a.example', /https/],
    ['a query', 'https://a.example/?tenant=1', /no query/],
    ['a fragment', 'https://a.example/#x', /fragment/],
    ['not a URL', 'a.example', /absolute URL/],
  ])('refuses an issuer with %s (TypeError)', (_name, issuer, message) => {
    expect(() => authorizationServerMetadataUrls(issuer)).toThrow(TypeError)
    expect(() => authorizationServerMetadataUrls(issuer)).toThrow(message)
  })
})

describe('discoverJwksUri against a loopback metadata server (ASD-3, ASD-5)', () => {
  it.each([
    ['path-less issuer, RFC 8414 document', '', { [AS]: 'doc' }, [AS]],
    ['path-less issuer, OIDC only', '', { [OIDC]: 'doc' }, [AS, OIDC]],
    ['issuer with a path, RFC 8414 insertion', '/t1', { [`${AS}/t1`]: 'doc' }, [`${AS}/t1`]],
    [
      'issuer with a path, OIDC insertion',
      '/t1',
      { [`${OIDC}/t1`]: 'doc' },
      [`${AS}/t1`, `${OIDC}/t1`],
    ],
    [
      'issuer with a path, OIDC appended',
      '/t1',
      { [`/t1${OIDC}`]: 'doc' },
      [`${AS}/t1`, `${OIDC}/t1`, `/t1${OIDC}`],
    ],
  ])('%s: asks %j', async (_name, path, where, asked) => {
    const server = await serve((origin) =>
      Object.fromEntries(
        Object.keys(where).map((p) => [
          p,
          { issuer: `${origin}${path}`, jwks_uri: `${origin}/jwks` },
        ]),
      ),
    )
    const jwks = await discoverJwksUri(`${server.origin}${path}`)
    expect(jwks.href).toBe(`${server.origin}/jwks`)
    expect(server.paths()).toEqual(asked)
  })

  it('an issuer with a path never falls back to the root documents (ASD-3)', async () => {
    const server = await serve((origin) => ({
      [AS]: { issuer: origin, jwks_uri: `${origin}/jwks` },
      [OIDC]: { issuer: origin, jwks_uri: `${origin}/jwks` },
    }))
    const error = await discoveryError(discoverJwksUri(`${server.origin}/t1`))
    expect(server.paths()).toEqual([`${AS}/t1`, `${OIDC}/t1`, `/t1${OIDC}`])
    expect(error.message).toBe(
      `could not discover the JWKS of issuer ${server.origin}/t1: none of ` +
        `${server.origin}${AS}/t1 (HTTP 404); ${server.origin}${OIDC}/t1 (HTTP 404); ` +
        `${server.origin}/t1${OIDC} (HTTP 404) answered with usable metadata; ` +
        'set authentication.jwks_uri',
    )
    expect(error.attempts).toHaveLength(3)
  })

  it('a document naming another issuer is discarded; the next one is used (ASD-5)', async () => {
    const server = await serve((origin) => ({
      [AS]: { issuer: `${origin}/`, jwks_uri: 'https://evil.example/jwks' },
      [OIDC]: { issuer: origin, jwks_uri: `${origin}/jwks` },
    }))
    expect((await discoverJwksUri(server.origin)).href).toBe(`${server.origin}/jwks`)
  })

  it('only mismatching documents: refused, naming both values (ASD-5)', async () => {
    const server = await serve((origin) => ({
      [AS]: { issuer: `${origin}/`, jwks_uri: `${origin}/jwks` },
      [OIDC]: { issuer: 'https://other.example', jwks_uri: `${origin}/jwks` },
    }))
    const error = await discoveryError(discoverJwksUri(server.origin))
    expect(error.message).toContain(
      `the document names issuer "${server.origin}/", not the configured "${server.origin}"; the two must be identical (RFC 8414 §3.3)`,
    )
    expect(error.message).toContain('names issuer "https://other.example"')
    expect(error.issuer).toBe(server.origin)
    expect(error.message).toMatch(
      new RegExp(
        `; set authentication\\.issuer to exactly the issuer the metadata names: "${server.origin}/" or "https://other\\.example" \\(the configured "${server.origin}" matches neither`,
      ),
    )
  })

  it('an issuer that differs by a trailing slash: the fix is authentication.issuer, not jwks_uri', async () => {
    // Setting jwks_uri would let the server start and then refuse every token: their iss is the
    // issuer the metadata names, and it must equal authentication.issuer exactly.
    const server = await serve((origin) => ({
      [`${AS}/realms/acme`]: { issuer: `${origin}/realms/acme`, jwks_uri: `${origin}/jwks` },
    }))
    const configured = `${server.origin}/realms/acme/`
    const named = `${server.origin}/realms/acme`
    const error = await discoveryError(discoverJwksUri(configured))
    expect(error.message).toMatch(
      new RegExp(
        `; set authentication\\.issuer to exactly "${named}", the issuer the metadata names ` +
          `\\(the configured "${configured}" differs; a trailing slash counts\\)`,
      ),
    )
    expect(error.message).not.toMatch(/; set authentication\.jwks_uri/)
    expect(error.message).toMatch(/setting authentication\.jwks_uri instead would not help/)
  })

  it('a mismatching issuer that is not a usable issuer URL is not suggested', async () => {
    const server = await serve(() => ({
      [AS]: { issuer: 'http://idp.example' },
      [OIDC]: { issuer: 42 },
    }))
    const error = await discoveryError(discoverJwksUri(server.origin))
    expect(error.message).not.toMatch(/set authentication\.issuer to/)
    expect(error.message).toMatch(/set authentication\.jwks_uri$/)
  })

  it.each([
    [
      'http jwks_uri off loopback (T-7)',
      'http://idp.example/jwks',
      /jwks_uri of issuer .* must use https/,
    ],
    ['relative jwks_uri', '/jwks', /absolute URL/],
    ['no jwks_uri', undefined, /has no jwks_uri; set authentication\.jwks_uri$/],
  ])('refuses %s', async (_name, jwks, message) => {
    const server = await serve((origin) => ({ [AS]: { issuer: origin, jwks_uri: jwks } }))
    const error = await discoveryError(discoverJwksUri(server.origin))
    expect(error.message).toMatch(message)
    expect(error.message).toMatch(/set authentication\.jwks_uri$/)
  })

  it.each([
    [
      'a redirect, not followed',
      { status: 302, headers: { location: '/elsewhere' } },
      /redirect \(HTTP 302\)/,
    ],
    ['invalid JSON', { text: '<html>' }, /not valid JSON/],
    ['an oversized document', { json: { padding: 'x'.repeat(70_000) } }, /larger than 65536/],
    ['HTTP 500', { status: 500, text: '' }, /HTTP 500/],
  ] as [string, PeerAnswer, RegExp][])(
    '%s: that URL is skipped',
    async (_name, answer, problem) => {
      const server = await serve(() => ({ [AS]: { peer: answer } }))
      const error = await discoveryError(discoverJwksUri(server.origin))
      expect(error.attempts[0]?.problem).toMatch(problem)
      expect(server.paths()).toEqual([AS, OIDC])
    },
  )

  it('a URL that does not answer in time is skipped', async () => {
    const server = await serve((origin) => ({
      [AS]: { peer: { hang: true } },
      [OIDC]: { issuer: origin, jwks_uri: `${origin}/jwks` },
    }))
    const started = Date.now()
    expect((await discoverJwksUri(server.origin, { timeoutMs: 200 })).pathname).toBe('/jwks')
    expect(Date.now() - started).toBeLessThan(3000)
  })

  it('an unreachable issuer names every URL tried', async () => {
    const server = await serve(() => ({}))
    await server.close()
    servers.length = 0
    const error = await discoveryError(discoverJwksUri(server.origin))
    expect(error.attempts.map((a) => a.problem)).toEqual([
      'network error (ECONNREFUSED)',
      'network error (ECONNREFUSED)',
    ])
  })

  it('refuses a bad timeout with a TypeError', async () => {
    await expect(discoverJwksUri('https://a.example', { timeoutMs: 0 })).rejects.toThrow(TypeError)
  })
})

describe('discoverAuthorizationServerMetadata and discoverIntrospectionEndpoint', () => {
  it('returns the validated document', async () => {
    const server = await serve((origin) => ({
      [`${OIDC}/realms/acme`]: {
        issuer: `${origin}/realms/acme`,
        introspection_endpoint: `${origin}/realms/acme/introspect`,
        code_challenge_methods_supported: ['S256'],
      },
    }))
    const issuer = `${server.origin}/realms/acme`
    const document = await discoverAuthorizationServerMetadata(issuer)
    expect(document).toMatchObject({ issuer, code_challenge_methods_supported: ['S256'] })
    expect((await discoverIntrospectionEndpoint(issuer)).href).toBe(`${issuer}/introspect`)
  })

  it.each([
    ['the metadata', discoverAuthorizationServerMetadata],
    ['the introspection endpoint', discoverIntrospectionEndpoint],
  ])('%s of a mismatching issuer: says to fix authentication.issuer', async (_what, discover) => {
    const server = await serve((origin) => ({ [AS]: { issuer: `${origin}/` } }))
    const error = await discoveryError(discover(server.origin))
    expect(error.message).toContain(
      `; set authentication.issuer to exactly "${server.origin}/", the issuer the metadata names (the configured "${server.origin}" differs; a trailing slash counts)`,
    )
  })

  it('no introspection_endpoint: says which setting to fill', async () => {
    const server = await serve((origin) => ({ [AS]: { issuer: origin } }))
    const error = await discoveryError(discoverIntrospectionEndpoint(server.origin))
    expect(error.message).toMatch(
      /has no introspection_endpoint; set authentication\.introspection_endpoint$/,
    )
  })
})
