import type { AuditSink } from '../audit/index.js'
import { cachingVerifier, createJwtVerifier, grantCheckingVerifier } from '../auth/guard/index.js'
import { canonicalResourceUri } from '../auth/protocol/index.js'
import {
  createSetupLink,
  KeyEncryptionError,
  type BuiltinAuthorizationServer,
  type KeyEncryptionKey,
  type Lookup,
} from '../auth/server/index.js'
import { createAuthorizationServer } from '../auth/server/authorization-server.js'
import { mtlsIssues, resolveSecret, type Config } from '../config/index.js'
import type { Storage } from '../storage/ports.js'
import { SCOPES } from '../tools/index.js'
import type { BuiltinMount, HttpAuthOptions } from '../transport/http/index.js'
import { renderErrorPage } from '../ui/index.js'
import { CliError, EXIT } from './exit-codes.js'
import { createLocalJWKSet, type JWTVerifyGetKey } from 'jose'

type Env = Record<string, string | undefined>

const DOCS_URL = 'https://github.com/mcp-pa/mcp-pa/blob/main/docs/authorization-server.md'

/** The issuer: configured, or the origin of the resource; it must be served here (same origin). */
export function builtinIssuer(config: Config, resource: URL): URL {
  const configured = config.authentication.issuer
  const issuer = new URL(configured ?? resource.origin)
  if (issuer.origin !== resource.origin) {
    throw new CliError(
      `authentication.issuer (${issuer.href}) must have the origin of this server (${resource.origin}) with the built-in authorization server: leave it unset or use ${resource.origin}`,
      EXIT.config,
    )
  }
  if (issuer.search !== '' || issuer.hash !== '') {
    throw new CliError('authentication.issuer must not have a query or fragment', EXIT.config)
  }
  return issuer
}

/** The issuer identifier as the engine and tokens spell it: no trailing slash on an origin. */
const issuerId = (issuer: URL) =>
  issuer.pathname === '/' ? issuer.origin : issuer.href.replace(/\/+$/, '')

export interface BuiltinComposition {
  auth: HttpAuthOptions
  builtin: BuiltinMount
  server: BuiltinAuthorizationServer
  /** The one-time setup link to print, when no account exists yet. */
  setupUrl?: string
}

/** The built-in authorization server and the guard that verifies its tokens in process. */
export async function builtinAuth(
  config: Config,
  kek: KeyEncryptionKey,
  storage: Storage,
  resource: URL,
  audit: AuditSink,
  env: Env,
  /** Test seams (never from configuration): metadata-document fetches and DNS. */
  seams: { fetch?: typeof fetch; lookup?: Lookup } = {},
): Promise<BuiltinComposition> {
  const auth = config.authentication
  const as = auth.authorization_server
  // Also checked when the configuration loads; here for compositions that skip the loader.
  const mtlsProblem = mtlsIssues(config)[0]
  if (mtlsProblem !== undefined) {
    throw new CliError(
      `${mtlsProblem.path}: ${mtlsProblem.problem}. Fix: ${mtlsProblem.fix}.`,
      EXIT.config,
    )
  }
  const mtls = auth.client_auth_methods.includes('tls_client_auth')
  const issuer = builtinIssuer(config, resource)
  const prefix = issuer.pathname.replace(/\/+$/, '')
  const initialAccessToken =
    as.registration_initial_access_token === undefined
      ? undefined
      : (await resolveSecret(as.registration_initial_access_token, { env })).reveal()
  let server: BuiltinAuthorizationServer
  try {
    server = await createAuthorizationServer({
      ...seams,
      issuer: issuerId(issuer),
      resource,
      scopes: SCOPES,
      settings: {
        accessTokenTtl: auth.token_expiry,
        refreshTokenTtl: as.refresh_token_expiry,
        codeTtl: as.code_expiry,
        sessionIdleTtl: as.session_idle_timeout,
        refreshGrace: as.refresh_grace_period,
        consentRememberDays: as.consent_remember_days,
        signingAlg: as.signing_alg,
        clientAuthMethods: auth.client_auth_methods,
        cimd: {
          enabled: as.client_id_metadata_documents,
          hosts: as.client_id_metadata_document_hosts,
        },
        registration: {
          enabled: config.features.dynamic_client_registration,
          initialAccessToken,
          unusedTtl: as.registration_unused_expiry,
        },
      },
      stores: storage,
      kek,
      audit,
      interactionPath: (uid) => `${prefix}/oauth/interaction/${uid}`,
      renderError: (status, error, description) =>
        renderErrorPage({
          status,
          title: 'This sign-in request cannot continue',
          message:
            'The app sent a request this server does not accept, so you were not sent back to it. Go back to the app and try again, or tell its developer.',
          detail: description === '' ? error : `${error}: ${description}`,
        }),
    })
  } catch (error) {
    // A wrong key-encryption key: a configuration problem (exit 3), never key material.
    if (error instanceof KeyEncryptionError) throw new CliError(error.message, EXIT.config)
    throw error
  }
  // Keys in process: a kid we do not know makes us re-read the store (at most every 5 s), so a
  // rotation by another instance or `mcp-pa keys rotate` is seen without waiting for the timer.
  let current = server.publicKeys()
  let local = createLocalJWKSet(current)
  let lastRefresh = 0
  const getKey: JWTVerifyGetKey = async (header, token) => {
    const known = current.keys.some((key) => key.kid === header.kid)
    if (!known && Date.now() - lastRefresh > 5000) {
      lastRefresh = Date.now()
      await server.refreshKeys().catch(() => false)
    }
    if (server.publicKeys() !== current) {
      current = server.publicKeys()
      local = createLocalJWKSet(current)
    }
    return local(header, token)
  }
  const verifier = grantCheckingVerifier(
    cachingVerifier(
      createJwtVerifier({
        issuer: issuerId(issuer),
        audience: canonicalResourceUri(resource),
        jwks: getKey,
        algorithms: ['ES256', 'EdDSA'],
        clockToleranceSeconds: auth.clock_tolerance,
        requireAtJwtType: true,
        // RFC 8705 §3: with tls_client_auth, tokens are bound to the client certificate, which
        // the guard compares with the connection's on every request.
        acceptCertificateBound: mtls,
      }),
    ),
    {
      grantActive: (grantId) => server.grantActive(grantId),
      clientActive: (clientId) => server.clientActive(clientId),
    },
  )
  const link = await createSetupLink(storage.accounts, storage.artifacts)
  return {
    server,
    auth: {
      verifier,
      authorizationServers: [issuerId(issuer)],
      scopesSupported: SCOPES,
      resourceName: 'mcp-pa personal assistant',
      documentationUrl: DOCS_URL,
    },
    builtin: { server, issuer, consentRememberDays: as.consent_remember_days },
    // Under the issuer's path, like the account and interaction pages (oauth-account.ts).
    ...(link === undefined
      ? {}
      : { setupUrl: new URL(`${prefix}${link.path}`, issuer.origin).href }),
  }
}
