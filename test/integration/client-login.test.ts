import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { discoverAuthorizationServer } from '../../src/auth/client/authorization-server-metadata.js'
import type { DiscoveredAuthorizationServer } from '../../src/auth/client/authorization-server-metadata.js'
import { AuthorizationError } from '../../src/auth/client/authorize-errors.js'
import { login } from '../../src/auth/client/authorize-login.js'
import { followAuthorizationRedirects } from '../../src/auth/client/browser-headless.js'
import type { LoginOptions } from '../../src/auth/client/authorize-login.js'
import { DEFAULT_CLIENT_METADATA_URL } from '../../src/auth/client/registration.js'
import { createFileBackend, createTokenStore } from '../../src/auth/client/store/index.js'
import type { TokenStore } from '../../src/auth/client/store/index.js'
import { startTestIdp } from '../support/oidc-idp.js'
import type { TestIdp } from '../support/oidc-idp.js'
import {
  CONFIDENTIAL_CLI_CLIENT,
  introspect,
  LOOPBACK_POLICY,
  PUBLIC_CLI_CLIENT,
  RESOURCE,
  startClientFlowIdp,
} from '../support/client-flows.js'
import { logSentinel } from '../helpers/log-sentinel.js'

/**
 * Logging in against a real authorization server (oidc-provider on 127.0.0.1), headless: the
 * IdP approves flows whose state the harness did not register, as a person would in a browser.
 * Every path of REG-2 (pre-registered public and confidential, CIMD with the project's own
 * document, DCR), PKCE (required by the IdP for public clients), resource (the token's
 * audience), RFC 9207 iss (sent and advertised by the IdP, checked by the client).
 */

const sentinel = logSentinel(import.meta.filename)
/** Tokens the test got: they must appear in no printed line and no error message. */
function recordSecrets(credentials: { access_token: string; refresh_token?: string }) {
  sentinel.secret(credentials.access_token)
  if (credentials.refresh_token !== undefined) sentinel.secret(credentials.refresh_token)
}

let idp: TestIdp
let as: DiscoveredAuthorizationServer
let dir: string
let store: TokenStore
const policy = LOOPBACK_POLICY

beforeAll(async () => {
  ;({ idp, as } = await startClientFlowIdp())
})
afterAll(async () => {
  await idp.close()
  sentinel.assertClean()
})

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-pa-client-login-'))
  store = createTokenStore(createFileBackend({ dir }), { lockDir: join(dir, 'locks') })
  idp.setAutoApproval('alice')
})
afterEach(() => rm(dir, { recursive: true, force: true }))

function options(extra: Partial<LoginOptions> = {}): LoginOptions {
  return {
    discovery: {
      resource: RESOURCE,
      resourceMetadata: {
        resource: RESOURCE,
        authorization_servers: [idp.issuer],
        scopes_supported: ['memories:read'],
      },
      authorizationServer: as,
      challengedScopes: undefined,
    },
    store,
    policy,
    mode: 'headless',
    print: (line) => sentinel.log(`${line}\n`),
    ...extra,
  }
}

describe('login against oidc-provider: the registration paths of REG-2', () => {
  it('the IdP advertises what the client relies on', () => {
    expect(as.metadata).toMatchObject({
      authorization_response_iss_parameter_supported: true,
      client_id_metadata_document_supported: true,
      code_challenge_methods_supported: ['S256'],
    })
    expect(as.metadata.scopes_supported).toContain('offline_access')
  })

  it('CIMD: the project document URL is the client_id; PKCE, resource, iss, refresh token', async () => {
    const result = await login(options())
    recordSecrets(result.credentials)
    expect(result.client).toMatchObject({
      issuer: idp.issuer,
      client_id: DEFAULT_CLIENT_METADATA_URL,
      method: 'client_id_metadata_document',
    })
    // RT-4: offline_access added because the AS lists it; SCOPE-1: scopes_supported otherwise.
    expect(result.scopes).toEqual(['memories:read', 'offline_access'])
    expect(result.credentials.refresh_token).toEqual(expect.any(String))
    expect(result.credentials.scope.split(' ')).toContain('memories:read')
    expect(await store.get(result.key)).toEqual(result.credentials)
    expect(await store.getClient(idp.issuer)).toMatchObject({
      client_id: DEFAULT_CLIENT_METADATA_URL,
    })
    const claims = await introspect(idp, result.credentials.access_token)
    expect(claims).toMatchObject({
      active: true,
      sub: 'alice',
      aud: RESOURCE,
      client_id: DEFAULT_CLIENT_METADATA_URL,
    })
  })

  it('DCR when CIMD is off: a native public client, stored for the issuer and reused', async () => {
    const first = await login(options({ clientMetadataUrl: false }))
    recordSecrets(first.credentials)
    expect(first.client).toMatchObject({ method: 'dynamic_registration', issuer: idp.issuer })
    expect(first.client.client_secret).toBeUndefined()
    const second = await login(options({ clientMetadataUrl: false }))
    recordSecrets(second.credentials)
    expect(second.client.client_id).toBe(first.client.client_id)
    expect(second.client.redirect_uris).toEqual(first.client.redirect_uris)
    expect(await introspect(idp, second.credentials.access_token)).toMatchObject({
      active: true,
      client_id: first.client.client_id,
    })
  })

  it('pre-registered public client (PRE-1)', async () => {
    const result = await login(
      options({ preRegistered: { clientId: PUBLIC_CLI_CLIENT.client_id } }),
    )
    recordSecrets(result.credentials)
    expect(result.client).toMatchObject({
      method: 'pre_registered',
      client_id: PUBLIC_CLI_CLIENT.client_id,
    })
    expect(await introspect(idp, result.credentials.access_token)).toMatchObject({ active: true })
  })

  it('pre-registered confidential client: client_secret_basic at the token endpoint (TEA-1)', async () => {
    const { client_id: clientId, client_secret: clientSecret } = CONFIDENTIAL_CLI_CLIENT
    const result = await login(options({ preRegistered: { clientId, clientSecret } }))
    recordSecrets(result.credentials)
    expect(result.client).toMatchObject({ method: 'pre_registered', client_secret: clientSecret })
    expect(await introspect(idp, result.credentials.access_token)).toMatchObject({
      active: true,
      client_id: clientId,
    })
  })

  it('pre-registered credentials for another issuer are never sent (BIND-2)', async () => {
    const preRegistered = { clientId: PUBLIC_CLI_CLIENT.client_id, issuer: 'https://other.example' }
    const error = await login(options({ preRegistered })).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthorizationError)
    expect((error as AuthorizationError).code).toBe('client_issuer_mismatch')
    expect(await store.getClient(idp.issuer)).toBeUndefined()
  })
})

describe('login against oidc-provider: how the URL travels, and refusals', () => {
  it('print mode prints the authorization URL (PKCE S256, state, resource, scope); a browser follows it', async () => {
    const lines: string[] = []
    const browser = async (line: string) => {
      if (!line.startsWith('http')) return
      const url = new URL(line)
      const redirectUri = url.searchParams.get('redirect_uri') ?? ''
      await followAuthorizationRedirects(url, { policy, redirectUri })
    }
    const result = await login(
      options({
        mode: 'print',
        print: (line) => {
          lines.push(line)
          void browser(line)
        },
      }),
    )
    recordSecrets(result.credentials)
    const url = new URL(lines.find((l) => l.startsWith('http')) ?? '')
    expect(`${url.origin}${url.pathname}`).toBe(as.metadata.authorization_endpoint)
    const params = Object.fromEntries(url.searchParams)
    expect(params).toEqual({
      response_type: 'code',
      client_id: DEFAULT_CLIENT_METADATA_URL,
      redirect_uri: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+\/callback$/),
      code_challenge: expect.stringMatching(/^[\w-]{43}$/),
      code_challenge_method: 'S256',
      state: expect.stringMatching(/^[\w-]{43}$/),
      resource: RESOURCE,
      scope: 'memories:read offline_access',
    })
    expect(lines.join('\n')).not.toContain(result.credentials.access_token)
  })

  it('browser mode hands the URL to the opener; a failing opener is reported and the login goes on', async () => {
    const lines: string[] = []
    const opened: URL[] = []
    const result = await login(
      options({
        mode: 'browser',
        print: (line) => lines.push(line),
        openUrl: async (url) => {
          opened.push(url)
          const redirectUri = url.searchParams.get('redirect_uri') ?? ''
          void followAuthorizationRedirects(url, { policy, redirectUri })
          throw new AuthorizationError(
            'browser_failed',
            'could not open a browser (xdg-open is not installed); open the URL yourself',
          )
        },
      }),
    )
    recordSecrets(result.credentials)
    expect(opened).toHaveLength(1)
    expect(lines).toContain(opened[0]?.href)
    expect(lines.at(-2)).toMatch(/xdg-open is not installed/)
    expect(lines.at(-1)).toBe(
      'Waiting up to 5 minutes for the sign-in to finish in the browser (Ctrl-C cancels).',
    )
  })

  it('access_denied at the AS becomes a clear error; nothing is stored', async () => {
    idp.setAutoApproval(false)
    const error = await login(options()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthorizationError)
    expect(error).toMatchObject({ code: 'access_denied', oauthError: 'access_denied' })
    expect((error as Error).message).toMatch(
      /refused at http:\/\/127\.0\.0\.1:\d+ \(access_denied: the test user said no\)/,
    )
    expect(await store.list()).toEqual([])
  })

  it('headless mode stops at a page meant for a person', async () => {
    idp.setAutoApproval(undefined)
    const error = await login(options()).catch((e: unknown) => e)
    expect(error).toMatchObject({ code: 'headless_failed' })
    expect((error as Error).message).toMatch(
      /answered HTTP 400 instead of redirecting back to mcp-pa: it wants a person/,
    )
  })

  it('mix-up: a code issued by another real AS is refused by its iss before any token request (ISS-3)', async () => {
    const other = await startTestIdp({
      autoApproveSubject: 'mallory',
      clientFlows: { clients: [PUBLIC_CLI_CLIENT] },
    })
    try {
      const hostile = await discoverAuthorizationServer(other.issuer, policy)
      // The metadata says `as`, but the authorization endpoint is the other AS's.
      const mixed = {
        ...as,
        metadata: {
          ...as.metadata,
          authorization_endpoint: hostile.metadata.authorization_endpoint,
        },
      }
      const base = options({ preRegistered: { clientId: PUBLIC_CLI_CLIENT.client_id } })
      const error = await login({
        ...base,
        discovery: { ...base.discovery, authorizationServer: mixed },
      }).catch((e: unknown) => e)
      expect(error).toMatchObject({ code: 'issuer_mismatch' })
      expect((error as Error).message).toContain(
        `from the issuer "${other.issuer}", not from ${idp.issuer}`,
      )
      expect(await store.list()).toEqual([])
    } finally {
      await other.close()
    }
  })
})
