import { randomBytes, randomUUID } from 'node:crypto'
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import { authorizationCodeToken } from './authorization-code-flow.js'
import {
  configuration,
  type ClientFlowConfiguration,
  INTROSPECTION_CLIENT_ID,
  JWT_CLIENT_ID,
  OPAQUE_CLIENT_ID,
  REDIRECT_URI,
} from './oidc-idp-config.js'
import { Provider } from './oidc-provider-types.js'
import type { OidcProvider } from './oidc-provider-types.js'

export { JWT_CLIENT_ID, OPAQUE_CLIENT_ID, RESOURCE_SCOPES } from './oidc-idp-config.js'
export type { ClientFlowConfiguration } from './oidc-idp-config.js'

/**
 * A real `oidc-provider` on 127.0.0.1 (random port) playing the external identity provider:
 * RFC 8707 resource indicators, RFC 9068 JWT access tokens (ES256), RFC 7662 introspection and
 * RFC 7009 revocation. Keys are generated per instance and never touch the disk.
 */

export interface TestIdpOptions {
  /** Lifetime of access tokens in seconds (default 300). */
  accessTokenTtlSeconds?: number
  /**
   * For the CLI OAuth client's tests: flows whose `state` the harness did not register (the
   * client makes its own) log in this subject and are approved at once, so a headless client
   * completes them with plain redirects.
   */
  autoApproveSubject?: string
  /** Dynamic registration, client ID metadata documents, more static clients (CLI tests). */
  clientFlows?: ClientFlowConfiguration
}

export interface TokenRequest {
  /** The user who logs in: the token's `sub`. */
  subject: string
  scopes: readonly string[]
  /** The RFC 8707 resource indicator: the token's audience. */
  resource: string
  /** `jwt` (default, RFC 9068) or `opaque` (introspectable and revocable). */
  format?: 'jwt' | 'opaque'
}

export interface SigningJwk extends JWK {
  kid: string
  alg: 'ES256' | 'RS256'
}

export interface TestIdp {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  issuer: string
  jwksUri: string
  introspectionEndpoint: string
  revocationEndpoint: string
  /** A user access token, through a real authorization_code + PKCE flow over HTTP. */
  tokenFor(request: TokenRequest): Promise<string>
  /** Revokes an opaque access token at the revocation endpoint, as the client it was issued to. */
  revoke(token: string): Promise<void>
  /** A confidential client (`client_secret_basic`) allowed to introspect any token. */
  introspectionClient: { clientId: string; clientSecret: string }
  /**
   * What happens to flows whose `state` the harness did not register: a subject logs in and
   * approves, `false` refuses them with `access_denied`, `undefined` answers 400 (a page a
   * person would have to use). Starts as `options.autoApproveSubject`.
   */
  setAutoApproval(answer: string | false | undefined): void
  /** The IdP's private signing keys (published in its JWKS), for forging negative cases. */
  signingKeys: { ES256: SigningJwk; RS256: SigningJwk }
  close(): Promise<void>
}

async function signingKey(alg: SigningJwk['alg']): Promise<SigningJwk> {
  const { privateKey } = await generateKeyPair(alg, { extractable: true })
  return { ...(await exportJWK(privateKey)), kid: `${alg.toLowerCase()}-${randomUUID()}`, alg }
}

/**
 * The test-only interaction route: logs in the subject the harness registered under the
 * request's `state` (else the auto-approval subject, for clients that make their own state),
 * then grants exactly what the consent prompt says is missing.
 */
async function interact(
  provider: OidcProvider,
  subjects: ReadonlyMap<string, string>,
  req: IncomingMessage,
  res: ServerResponse,
  autoApproval: string | false | undefined,
): Promise<void> {
  const details = await provider.interactionDetails(req, res)
  const { state, client_id: clientId } = details.params
  const registered = typeof state === 'string' ? subjects.get(state) : undefined
  if (registered === undefined && autoApproval === false) {
    const result = { error: 'access_denied', error_description: 'the test user said no' }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false })
    return
  }
  const subject = registered ?? (autoApproval === false ? undefined : autoApproval)
  if (subject === undefined || typeof clientId !== 'string') {
    res.writeHead(400).end('no subject registered for this flow')
    return
  }
  if (details.prompt.name === 'login') {
    const result = { login: { accountId: subject } }
    await provider.interactionFinished(req, res, result, { mergeWithLastSubmission: false })
    return
  }
  if (details.prompt.name !== 'consent' || details.session === undefined) {
    res.writeHead(400).end(`unexpected prompt ${details.prompt.name}`)
    return
  }
  const { accountId } = details.session
  const grant =
    (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
    new provider.Grant({ accountId, clientId })
  const { missingOIDCScope, missingOIDCClaims, missingResourceScopes } = details.prompt.details
  if (missingOIDCScope !== undefined) grant.addOIDCScope(missingOIDCScope.join(' '))
  if (missingOIDCClaims !== undefined) grant.addOIDCClaims(missingOIDCClaims)
  for (const [indicator, scopes] of Object.entries(missingResourceScopes ?? {})) {
    grant.addResourceScope(indicator, scopes.join(' '))
  }
  const grantId = await grant.save()
  await provider.interactionFinished(req, res, { consent: { grantId } })
}

/** Starts a test IdP on 127.0.0.1 with a random port; `close()` it in `afterAll`. */
export async function startTestIdp(options: TestIdpOptions = {}): Promise<TestIdp> {
  const ttl = options.accessTokenTtlSeconds ?? 300
  const signingKeys = { ES256: await signingKey('ES256'), RS256: await signingKey('RS256') }
  const introspectionClient = {
    clientId: INTROSPECTION_CLIENT_ID,
    clientSecret: randomBytes(32).toString('base64url'),
  }
  /** state → subject, for the flows in progress. */
  const subjects = new Map<string, string>()
  let autoApproval: string | false | undefined = options.autoApproveSubject

  let handle: (req: IncomingMessage, res: ServerResponse) => void = (_req, res) => {
    res.writeHead(503).end()
  }
  const server = createServer((req, res) => handle(req, res))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const issuer = `http://127.0.0.1:${port}`

  const keys = [signingKeys.ES256, signingKeys.RS256]
  const idp = new Provider(
    issuer,
    configuration(keys, introspectionClient.clientSecret, ttl, options.clientFlows),
  )
  idp.on('server_error', (_ctx, error) => console.error('test IdP server_error', error))
  const callback = idp.callback()
  handle = (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res)
    interact(idp, subjects, req, res, autoApproval).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error))
    })
  }

  const revocationEndpoint = idp.urlFor('revocation')
  return {
    issuer,
    jwksUri: idp.urlFor('jwks'),
    introspectionEndpoint: idp.urlFor('introspection'),
    revocationEndpoint,
    introspectionClient,
    signingKeys,
    setAutoApproval(answer) {
      autoApproval = answer
    },
    async tokenFor({ subject, scopes, resource, format = 'jwt' }) {
      const state = randomBytes(16).toString('base64url')
      subjects.set(state, subject)
      try {
        const client = {
          issuer,
          authorizationEndpoint: idp.urlFor('authorization'),
          tokenEndpoint: idp.urlFor('token'),
          clientId: format === 'opaque' ? OPAQUE_CLIENT_ID : JWT_CLIENT_ID,
          redirectUri: REDIRECT_URI,
        }
        return await authorizationCodeToken(client, { scopes, resource, state })
      } finally {
        subjects.delete(state)
      }
    },
    async revoke(token) {
      const response = await fetch(revocationEndpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({
          token,
          token_type_hint: 'access_token',
          client_id: OPAQUE_CLIENT_ID,
        }),
      })
      if (!response.ok)
        throw new Error(`revocation failed: HTTP ${response.status} ${await response.text()}`)
    },
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()))
      server.closeAllConnections()
      await closed
    },
  }
}
