import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import type { AuthorizationErrorCode } from './authorize-errors.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { registerDynamicClient } from './registration-dynamic.js'
import {
  checkClientMetadataUrl,
  chooseClient,
  DEFAULT_CLIENT_METADATA_URL,
} from './registration.js'
import type { ChooseClientOptions } from './registration.js'
import type { ClientRegistration } from './store/index.js'
import { clientFetchPolicy } from './url-policy.js'

/** Client secrets, generated per run (never written in the repository). */
const secret = () => randomBytes(16).toString('base64url')
const SECRET = secret()
const THEIRS = secret()
const DCR_SECRET = secret()
const ORPHAN_SECRET = secret()

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const policy = clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 2000 })
const REDIRECT = 'http://127.0.0.1:5555/callback'
const NOW = 1_800_000_000

/** A store of registrations per issuer that records which issuers were asked for. */
function memoryStore(initial: ClientRegistration[] = []) {
  const byIssuer = new Map(initial.map((r) => [r.issuer, r]))
  const asked: string[] = []
  return {
    asked,
    saved: () => [...byIssuer.values()],
    getClient: async (issuer: string) => {
      asked.push(issuer)
      return byIssuer.get(issuer)
    },
    putClient: async (registration: ClientRegistration) => {
      byIssuer.set(registration.issuer, { ...registration })
    },
  }
}

/** An AS on loopback with a registration endpoint answering `register`. */
async function authorizationServer(
  extra: Partial<AuthorizationServerMetadata> = {},
  register: Answer = { status: 201, json: { client_id: 'dcr-client' } },
) {
  const server = await routeServer(() => ({ '/register': register }))
  servers.push(server)
  const issuer = server.origin
  const metadata: AuthorizationServerMetadata = {
    issuer,
    authorization_endpoint: `${issuer}/authorize`,
    token_endpoint: `${issuer}/token`,
    code_challenge_methods_supported: ['S256'],
    registration_endpoint: `${issuer}/register`,
    ...extra,
  }
  return { server, authorizationServer: { issuer, metadata } }
}

async function choose(
  as: Awaited<ReturnType<typeof authorizationServer>>,
  store: ReturnType<typeof memoryStore>,
  extra: Partial<ChooseClientOptions> = {},
) {
  return chooseClient({
    store,
    authorizationServer: as.authorizationServer,
    redirectUri: REDIRECT,
    policy,
    now: () => NOW,
    ...extra,
  })
}

async function refusal(promise: Promise<unknown>, code: AuthorizationErrorCode) {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthorizationError)
  expect((error as AuthorizationError).code).toBe(code)
  return error as AuthorizationError
}

describe('chooseClient: the order of REG-2', () => {
  it('① pre-registered credentials win over CIMD and DCR, and are stored for this issuer', async () => {
    const as = await authorizationServer({ client_id_metadata_document_supported: true })
    const store = memoryStore()
    const client = await choose(as, store, {
      preRegistered: { clientId: 'mine', clientSecret: SECRET },
    })
    expect(client).toEqual({
      issuer: as.authorizationServer.issuer,
      client_id: 'mine',
      client_secret: SECRET,
      method: 'pre_registered',
      redirect_uris: [REDIRECT],
      registered_at: NOW,
    })
    expect(store.saved()).toEqual([client])
    expect(as.server.requests).toEqual([])
  })

  it('① pre-registered credentials given for another issuer are refused (BIND-2)', async () => {
    const as = await authorizationServer()
    const store = memoryStore()
    const error = await refusal(
      choose(as, store, {
        preRegistered: { clientId: 'mine', issuer: 'https://old-as.example.com' },
      }),
      'client_issuer_mismatch',
    )
    expect(error.message).toContain('they are not sent there (BIND-2)')
    expect(store.saved()).toEqual([])
  })

  it('② credentials pre-registered earlier for this issuer are reused', async () => {
    const as = await authorizationServer({ client_id_metadata_document_supported: true })
    const earlier: ClientRegistration = {
      issuer: as.authorizationServer.issuer,
      client_id: 'mine',
      method: 'pre_registered',
      redirect_uris: [REDIRECT],
      registered_at: 1,
    }
    expect(await choose(as, memoryStore([earlier]))).toEqual(earlier)
  })

  it('③ CIMD when the AS supports it: the document URL is the client_id, no request', async () => {
    const as = await authorizationServer({ client_id_metadata_document_supported: true })
    const store = memoryStore()
    const client = await choose(as, store)
    expect(client).toMatchObject({
      client_id: DEFAULT_CLIENT_METADATA_URL,
      method: 'client_id_metadata_document',
    })
    expect(client.client_secret).toBeUndefined()
    expect(as.server.requests).toEqual([])
    const custom = 'https://conformance-test.local/client-metadata.json'
    expect((await choose(as, store, { clientMetadataUrl: custom })).client_id).toBe(custom)
  })

  it('③ CIMD-9: without the flag (or with CIMD turned off) DCR is used', async () => {
    for (const [extra, options] of [
      [{}, {}],
      [{ client_id_metadata_document_supported: false }, {}],
      [{ client_id_metadata_document_supported: true }, { clientMetadataUrl: false as const }],
    ] as const) {
      const as = await authorizationServer(extra)
      expect(await choose(as, memoryStore(), options)).toMatchObject({
        method: 'dynamic_registration',
        client_id: 'dcr-client',
      })
    }
  })

  it('④ DCR once per issuer: a stored registration is reused without a request', async () => {
    const as = await authorizationServer()
    const store = memoryStore()
    const first = await choose(as, store)
    const again = await choose(as, store)
    expect(again).toEqual({ ...first, token_endpoint_auth_method: undefined, registered_at: NOW })
    expect(as.server.requests).toHaveLength(1)
  })

  it('never reads the registration of another issuer (TOK-6, BIND-1)', async () => {
    const as = await authorizationServer()
    const elsewhere: ClientRegistration = {
      issuer: 'https://other-as.example.com',
      client_id: 'theirs',
      client_secret: THEIRS,
      method: 'dynamic_registration',
      redirect_uris: [REDIRECT],
      registered_at: 1,
    }
    const store = memoryStore([elsewhere])
    expect((await choose(as, store)).client_id).toBe('dcr-client')
    expect(store.asked).toEqual([as.authorizationServer.issuer])
  })

  it('⑤ neither CIMD nor DCR: an error that says how to pre-register', async () => {
    const as = await authorizationServer({ registration_endpoint: undefined })
    const error = await refusal(choose(as, memoryStore()), 'registration_unavailable')
    expect(error.message).toMatch(
      /pass its ID with --client-id \(and its secret with --client-secret-env NAME or --client-secret-prompt if it issued one\)$/,
    )
    expect(error.message).toContain('redirect URI http://127.0.0.1/callback')
  })
})

describe('registerDynamicClient (RFC 7591; DCR-2, DCR-3, RT-3)', () => {
  it('registers a native public client with refresh_token and the loopback redirect URI', async () => {
    const as = await authorizationServer(
      {},
      {
        status: 201,
        json: {
          client_id: 'c1',
          client_secret: DCR_SECRET,
          token_endpoint_auth_method: 'client_secret_post',
        },
      },
    )
    const registration = await registerDynamicClient({
      issuer: as.authorizationServer.issuer,
      registrationEndpoint: `${as.server.origin}/register`,
      redirectUri: REDIRECT,
      policy,
    })
    expect(registration).toEqual({
      issuer: as.authorizationServer.issuer,
      client_id: 'c1',
      client_secret: DCR_SECRET,
      method: 'dynamic_registration',
      redirect_uris: [REDIRECT],
      token_endpoint_auth_method: 'client_secret_post',
    })
    const [sent] = as.server.requests
    expect(sent?.method).toBe('POST')
    expect(JSON.parse(sent?.body ?? '')).toEqual({
      client_name: 'mcp-pa',
      application_type: 'native',
      redirect_uris: [REDIRECT],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    })
  })

  it.each<[string, Answer, RegExp]>([
    [
      'a refusal over the redirect URI (DCR-3)',
      {
        status: 400,
        json: { error: 'invalid_redirect_uri', error_description: 'loopback not allowed' },
      },
      /refused to register mcp-pa \(invalid_redirect_uri: loopback not allowed\)\. Register a public client with redirect URI http:\/\/127\.0\.0\.1\/callback at .* yourself and pass its ID with --client-id$/,
    ],
    [
      'an HTML error',
      { status: 403, body: '<h1>no</h1>' },
      /refused to register mcp-pa \(HTTP 403\)/,
    ],
    [
      'a 201 without client_id',
      json({ client_secret: ORPHAN_SECRET }, { status: 201 }),
      /without a client_id/,
    ],
    [
      'a non-string secret',
      json({ client_id: 'c', client_secret: 42 }, { status: 201 }),
      /client_secret that is not a non-empty string/,
    ],
  ])('%s is registration_failed with a clear message', async (_name, answer, message) => {
    const as = await authorizationServer({}, answer)
    const error = await refusal(choose(as, memoryStore()), 'registration_failed')
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain(ORPHAN_SECRET)
  })

  it('an unreachable endpoint is registration_failed naming the endpoint', async () => {
    const as = await authorizationServer({ registration_endpoint: 'http://127.0.0.1:9/register' })
    const error = await refusal(choose(as, memoryStore()), 'registration_failed')
    expect(error.message).toMatch(/^could not register mcp-pa: .*127\.0\.0\.1:9\/register/)
  })
})

describe('checkClientMetadataUrl (CIMD-2, CIMD-3)', () => {
  it.each([
    DEFAULT_CLIENT_METADATA_URL,
    'https://conformance-test.local/client-metadata.json',
    'https://h.example/c?v=1',
  ])('accepts %s', (url) => {
    expect(checkClientMetadataUrl(url)).toBe(url)
  })

  it.each([
    ['http://h.example/c.json', /must use https/],
    ['https://h.example', /must have a path/],
    ['https://h.example/', /must have a path/],
    ['https://h.example/c.json#x', /fragment/],
    ['https://user@h.example/c.json', /user information/],
    ['https://h.example/a/../c.json', /\. or \.\. path segments/],
    ['https://h.example/./c.json', /\. or \.\. path segments/],
    ['https://h.example/a/%2E%2e/c.json', /\. or \.\. path segments/],
    ['c.json', /not an absolute URL/],
  ])('refuses %s', (url, message) => {
    expect(() => checkClientMetadataUrl(url)).toThrow(message)
  })
})

describe('docs/client-metadata.json: the document mcp-pa publishes (CIMD-2, CIMD-3, RT-3)', () => {
  it('names its own URL, loopback redirect URIs, a public native client with refresh tokens', async () => {
    const { readFile } = await import('node:fs/promises')
    const document = JSON.parse(await readFile('docs/client-metadata.json', 'utf8')) as Record<
      string,
      unknown
    >
    expect(document).toEqual({
      client_id: DEFAULT_CLIENT_METADATA_URL,
      client_name: 'mcp-pa',
      application_type: 'native',
      redirect_uris: ['http://127.0.0.1/callback', 'http://localhost/callback'],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      token_endpoint_auth_method: 'none',
    })
    expect(checkClientMetadataUrl(DEFAULT_CLIENT_METADATA_URL)).toBe(document.client_id)
  })
})
