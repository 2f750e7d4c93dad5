import type { Logger } from '../audit/index.js'
import {
  cachingVerifier,
  createIntrospectionVerifier,
  createJwtVerifier,
  discoverIntrospectionEndpoint,
  discoverJwksUri,
  DiscoveryError,
  type TokenVerifier,
} from '../auth/guard/index.js'
import { canonicalResourceUri } from '../auth/protocol/index.js'
import { resolveSecret, type Config } from '../config/index.js'
import { SCOPES } from '../tools/index.js'
import {
  createMetrics,
  createRateLimiters,
  loadTlsMaterial,
  rateLimitHeaders,
  type HttpAuthOptions,
  type RateLimiting,
  type TlsMaterial,
} from '../transport/http/index.js'
import { CliError, EXIT } from './exit-codes.js'

type Env = Record<string, string | undefined>

const DOCS_URL = 'https://github.com/mcp-pa/mcp-pa/blob/main/docs/http-deployment.md'

/** Token verification against the external identity provider, from the configuration. */
export async function externalAuth(
  config: Config,
  env: Env,
  resource: URL,
): Promise<HttpAuthOptions> {
  const auth = config.authentication
  const issuer = auth.issuer
  if (issuer === undefined) {
    throw new CliError('authentication.issuer is required (MCP_OAUTH_ISSUER)', EXIT.config)
  }
  const audience = auth.audience ?? canonicalResourceUri(resource)
  let verifier: TokenVerifier
  try {
    if (auth.token_verification === 'jwt') {
      const jwks = new URL(auth.jwks_uri ?? (await discoverJwksUri(issuer)))
      verifier = cachingVerifier(
        createJwtVerifier({
          issuer,
          audience,
          jwks,
          algorithms: auth.algorithms,
          clockToleranceSeconds: auth.clock_tolerance,
          requireAtJwtType: auth.require_jwt_access_token_type,
        }),
      )
    } else {
      const endpoint = new URL(
        auth.introspection_endpoint ?? (await discoverIntrospectionEndpoint(issuer)),
      )
      const secretRef = auth.introspection_client_secret
      if (auth.introspection_client_id === undefined || secretRef === undefined) {
        throw new CliError(
          'authentication.introspection_client_id and introspection_client_secret are required for introspection',
          EXIT.config,
        )
      }
      verifier = createIntrospectionVerifier({
        endpoint,
        issuer,
        audience,
        clientId: auth.introspection_client_id,
        clientSecret: await resolveSecret(secretRef, { env }),
        authMethod: auth.introspection_auth_method,
        clockToleranceSeconds: auth.clock_tolerance,
      })
    }
  } catch (error) {
    if (error instanceof CliError) throw error
    if (error instanceof DiscoveryError || error instanceof TypeError) {
      throw new CliError(`cannot set up token verification: ${error.message}`, EXIT.config)
    }
    throw error
  }
  return {
    verifier,
    authorizationServers: [issuer],
    scopesSupported: SCOPES,
    resourceName: 'mcp-pa personal assistant',
    documentationUrl: DOCS_URL,
  }
}

/** Rate limits in memory, or shared through Redis when `redis.url` is set. */
export async function rateLimiting(
  config: Config,
  env: Env,
  logger: Logger,
): Promise<RateLimiting & { close(): Promise<void>; backend: string }> {
  const ref = config.redis.url
  const url =
    ref === undefined
      ? undefined
      : /^rediss?:\/\//i.test(ref)
        ? ref
        : (await resolveSecret(ref, { env })).reveal()
  const limiters = createRateLimiters({
    redis: url === undefined ? undefined : { url },
    mcp: { points: config.rate_limit.mcp_per_minute, durationSeconds: 60 },
    unauthenticated: { points: config.rate_limit.ip_per_minute, durationSeconds: 60 },
    oauth: { points: config.rate_limit.oauth_per_minute, durationSeconds: 60 },
    registration: {
      points: config.authentication.authorization_server.registrations_per_ip_per_hour,
      durationSeconds: 3600,
    },
    logger: {
      warn: (obj, msg) => logger.warn(obj, msg),
      info: (obj, msg) => logger.info(obj, msg),
    },
  })
  await limiters.ready()
  return {
    consumeMcp: (fingerprint) => limiters.consumeMcp(fingerprint),
    consumeIp: (ip) => limiters.consumeIp(ip),
    consumeOauth: (ip) => limiters.consumeOauth(ip),
    consumeRegistration: (ip) => limiters.consumeRegistration(ip),
    headers: (decision, bucket) => ({
      ...rateLimitHeaders(decision),
      'RateLimit-Policy':
        bucket === 'ip' ? limiters.policies.unauthenticated : limiters.policies[bucket],
    }),
    close: () => limiters.close(),
    backend: limiters.backend,
  }
}

/**
 * The certificate and key (and the client CA of tls_client_auth), checked, with a reload
 * function for SIGHUP that reads all of them again.
 */
export async function tlsMaterial(
  config: Config,
  env: Env,
  home: string,
  logger: Logger,
): Promise<{ material: TlsMaterial; reload: () => Promise<TlsMaterial> } | undefined> {
  const { tls_cert, tls_key } = config.server
  if (tls_cert === undefined || tls_key === undefined) return undefined
  const expand = (path: string) => (path.startsWith('~/') ? `${home}/${path.slice(2)}` : path)
  const certPath = expand(tls_cert)
  const auth = config.authentication
  const ca = auth.authorization_server.client_certificate_ca
  // tls_client_auth (RFC 8705): the listener asks for client certificates under this CA.
  const mtls =
    auth.enabled &&
    auth.provider === 'builtin' &&
    auth.client_auth_methods.includes('tls_client_auth') &&
    ca !== undefined
  const load = () =>
    loadTlsMaterial({
      certPath,
      key: () => resolveSecret(tls_key, { env }),
      keySource: tls_key,
      ...(mtls ? { clientCaPath: expand(ca) } : {}),
    })
  const material = await load()
  for (const warning of material.warnings) logger.warn(warning)
  return { material, reload: load }
}

export { createMetrics }
