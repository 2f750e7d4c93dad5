import { createHash } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import type { IncomingMessage } from 'node:http'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import type { AuthorizationErrorCode } from './authorize-errors.js'
import { login, policyForServer, scopesForLogin } from './authorize-login.js'
import type { LoginOptions } from './authorize-login.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { createFileBackend, createTokenStore } from './store/index.js'
import type { TokenStore } from './store/index.js'

/**
 * `login` against a scripted authorization server on loopback, shaped like the conformance
 * suite's mock (auto-approving /authorize, PKCE-checking /token, DCR at /register): the
 * callback checks a real AS cannot be made to fail (wrong state, wrong or missing iss, no code)
 * and the client-authentication variants. The real-AS flows are in test/integration.
 */

const servers: RouteServer[] = []
let dir: string
let store: TokenStore
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-pa-login-'))
  store = createTokenStore(createFileBackend({ dir }), { lockDir: join(dir, 'locks') })
})
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
  await rm(dir, { recursive: true, force: true })
})

const RESOURCE = 'http://127.0.0.1:1/mcp'

interface Script {
  metadata?: Partial<AuthorizationServerMetadata>
  /** The callback's parameters, from the authorization request's. */
  callback?: (query: URLSearchParams, issuer: string) => Record<string, string>
  register?: Answer
}

/** A mock AS; `seen` keeps the authorization query and the token request body. */
async function mockAs(script: Script = {}) {
  const seen: { authorize?: URLSearchParams; token?: URLSearchParams } = {}
  const server = await routeServer((issuer) => ({
    '/authorize': (req: IncomingMessage) => {
      const query = new URL(req.url ?? '/', issuer).searchParams
      seen.authorize = query
      const params = script.callback?.(query, issuer) ?? {
        code: 'the-code',
        state: query.get('state') ?? '',
      }
      const target = new URL(query.get('redirect_uri') ?? '')
      for (const [k, v] of Object.entries(params)) target.searchParams.set(k, v)
      return { status: 302, headers: { location: target.href } }
    },
    '/token': json({ access_token: 'mock-at', token_type: 'Bearer', expires_in: 3600 }),
    '/register': script.register ?? json({ client_id: 'dcr-client' }, { status: 201 }),
  }))
  servers.push(server)
  const issuer = server.origin
  const metadata: AuthorizationServerMetadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    registration_endpoint: `${issuer}/register`,
    code_challenge_methods_supported: ['S256'],
    ...script.metadata,
  }
  const tokenBody = () => {
    const request = server.requests.find((r) => r.path === '/token')
    return request === undefined ? undefined : new URLSearchParams(request.body)
  }
  return { server, issuer, metadata, seen, tokenBody }
}

function options(
  as: Awaited<ReturnType<typeof mockAs>>,
  extra: Partial<LoginOptions> = {},
): LoginOptions {
  return {
    discovery: {
      resource: RESOURCE,
      resourceMetadata: { resource: RESOURCE, authorization_servers: [as.issuer] },
      authorizationServer: {
        issuer: as.issuer,
        metadataUrl: `${as.issuer}/.well-known/oauth-authorization-server`,
        metadata: as.metadata,
      },
      challengedScopes: undefined,
    },
    store,
    policy: policyForServer(RESOURCE, { timeoutMs: 2000 }),
    mode: 'headless',
    print: () => undefined,
    ...extra,
  }
}

async function refusal(promise: Promise<unknown>, code: AuthorizationErrorCode) {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthorizationError)
  expect((error as AuthorizationError).code).toBe(code)
  expect((error as Error).message).not.toContain('the-code')
  return error as AuthorizationError
}

/** After a refused login: no token request, nothing stored, the listener gone. */
async function nothingHappened(as: Awaited<ReturnType<typeof mockAs>>) {
  expect(as.tokenBody()).toBeUndefined()
  expect(await store.list()).toEqual([])
  const redirect = as.seen.authorize?.get('redirect_uri') ?? ''
  await expect(fetch(redirect)).rejects.toThrow()
}

describe('login: the callback checks (STATE-1, ISS-3)', () => {
  it('completes like the conformance mock: no iss, none advertised; PKCE S256 and resource on both legs', async () => {
    const as = await mockAs()
    const result = await login(options(as))
    expect(result.credentials).toMatchObject({ access_token: 'mock-at', scope: '' })
    expect(result.client.method).toBe('dynamic_registration')
    const authorize = as.seen.authorize
    const token = as.tokenBody()
    expect(authorize?.get('code_challenge_method')).toBe('S256')
    const verifier = token?.get('code_verifier') ?? ''
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(
      authorize?.get('code_challenge'),
    )
    expect(authorize?.get('resource')).toBe(RESOURCE)
    expect(token?.get('resource')).toBe(RESOURCE)
    expect(token?.get('redirect_uri')).toBe(authorize?.get('redirect_uri'))
    expect(token?.get('code')).toBe('the-code')
    expect(authorize?.has('scope')).toBe(false) // SCOPE-1 ③: nothing to ask for
  })

  it('discards a callback with another state; the login fails, no token request', async () => {
    const as = await mockAs({ callback: () => ({ code: 'the-code', state: 'forged' }) })
    const error = await refusal(login(options(as)), 'headless_failed')
    expect(error.message).toMatch(/callback refused the answer/)
    await nothingHappened(as)
  })

  it('refuses a wrong iss even when the AS does not advertise iss', async () => {
    const as = await mockAs({
      callback: (q) => ({
        code: 'the-code',
        state: q.get('state') ?? '',
        iss: 'https://evil.example.com',
      }),
    })
    await refusal(login(options(as)), 'issuer_mismatch')
    await nothingHappened(as)
  })

  it('refuses a missing iss when the AS advertises it', async () => {
    const as = await mockAs({ metadata: { authorization_response_iss_parameter_supported: true } })
    await refusal(login(options(as)), 'issuer_mismatch')
    await nothingHappened(as)
  })

  it('accepts the exact iss when advertised', async () => {
    const as = await mockAs({
      metadata: { authorization_response_iss_parameter_supported: true },
      callback: (q, issuer) => ({ code: 'the-code', state: q.get('state') ?? '', iss: issuer }),
    })
    await expect(login(options(as))).resolves.toMatchObject({
      credentials: { access_token: 'mock-at' },
    })
  })

  it('refuses a callback without a code', async () => {
    const as = await mockAs({ callback: (q) => ({ state: q.get('state') ?? '' }) })
    await refusal(login(options(as)), 'invalid_authorization_response')
    await nothingHappened(as)
  })

  it('turns error=access_denied into a clear error', async () => {
    const as = await mockAs({
      callback: (q) => ({ state: q.get('state') ?? '', error: 'access_denied' }),
    })
    await refusal(login(options(as)), 'access_denied')
    await nothingHappened(as)
  })

  it('print mode: an error the AS redirects back at once stops the login before the URL is printed (pre-flight)', async () => {
    const as = await mockAs({
      callback: (q) => ({ state: q.get('state') ?? '', error: 'access_denied' }),
    })
    const lines: string[] = []
    const started = Date.now()
    await refusal(
      login(options(as, { mode: 'print', print: (line) => lines.push(line) })),
      'access_denied',
    )
    expect(Date.now() - started).toBeLessThan(2000)
    expect(lines).toEqual([])
    await nothingHappened(as)
  })

  it('a refused DCR stops before the authorization request, listener closed (DCR-3)', async () => {
    const as = await mockAs({ register: json({ error: 'invalid_redirect_uri' }, { status: 400 }) })
    await refusal(login(options(as)), 'registration_failed')
    expect(as.seen.authorize).toBeUndefined()
    expect(await store.list()).toEqual([])
  })
})

describe('login: client authentication after DCR (TEA-1, like token-endpoint-auth-*)', () => {
  it.each([
    ['client_secret_basic', true],
    ['client_secret_post', false],
  ] as const)('%s', async (method, basic) => {
    const as = await mockAs({
      metadata: { token_endpoint_auth_methods_supported: [method] },
      register: json(
        {
          client_id: 'dcr-client',
          client_secret: 'dcr-secret',
          token_endpoint_auth_method: method,
        },
        { status: 201 },
      ),
    })
    await login(options(as))
    const request = as.server.requests.find((r) => r.path === '/token')
    const body = new URLSearchParams(request?.body)
    expect(request?.authorization).toBe(
      basic ? `Basic ${Buffer.from('dcr-client:dcr-secret').toString('base64')}` : undefined,
    )
    expect(body.get('client_secret')).toBe(basic ? null : 'dcr-secret')
    expect(body.get('client_id')).toBe(basic ? null : 'dcr-client')
  })
})

describe('scopesForLogin (SCOPE-1, RT-4)', () => {
  const base = (scopes_supported?: string[], challenged?: string[], prm?: string[]) =>
    ({
      discovery: {
        resource: RESOURCE,
        resourceMetadata: {
          resource: RESOURCE,
          authorization_servers: ['https://as'],
          ...(prm ? { scopes_supported: prm } : {}),
        },
        authorizationServer: {
          issuer: 'https://as',
          metadataUrl: 'https://as/m',
          metadata: {
            issuer: 'https://as',
            authorization_endpoint: 'https://as/a',
            token_endpoint: 'https://as/t',
            code_challenge_methods_supported: ['S256'],
            ...(scopes_supported ? { scopes_supported } : {}),
          },
        },
        challengedScopes: challenged,
      },
    }) as Pick<LoginOptions, 'discovery' | 'scopes' | 'offlineAccess'>

  it.each<
    [string, Pick<LoginOptions, 'discovery' | 'scopes' | 'offlineAccess'>, string[] | undefined]
  >([
    ['the challenge first', base(undefined, ['mcp:basic'], ['a', 'b']), ['mcp:basic']],
    ['else all of scopes_supported', base(undefined, undefined, ['a', 'b']), ['a', 'b']],
    ['else nothing (scope omitted)', base(['offline_access']), undefined],
    [
      'offline_access only when the AS lists it',
      base(['mcp:basic', 'offline_access'], undefined, ['mcp:basic']),
      ['mcp:basic', 'offline_access'],
    ],
    [
      'never when it does not',
      base(['mcp:basic', 'mcp:read'], undefined, ['mcp:basic']),
      ['mcp:basic'],
    ],
    [
      'a step-up union instead of the choice',
      { ...base(['offline_access'], ['x']), scopes: ['x', 'y', 'x'] },
      ['x', 'y', 'offline_access'],
    ],
    [
      'offline_access turned off',
      { ...base(['offline_access'], ['x']), offlineAccess: false },
      ['x'],
    ],
  ])('%s', (_name, input, expected) => {
    expect(scopesForLogin(input)).toEqual(expected)
  })
})
