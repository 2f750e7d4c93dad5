/**
 * Authorization server metadata for the client: the well-known URLs in the order MCP requires
 * (ASD-3), the issuer identity check (ASD-5), PKCE S256 (PKCE-3) and the endpoints the client
 * will use, checked like every URL learned from a server (URL-1, T-7).
 */
import { DiscoveryError, quoteValue } from './discovery-errors.js'
import { fetchJsonObject } from './fetch.js'
import { checkUrl, ClientFetchError, endpointName } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

const RFC8414 = '/.well-known/oauth-authorization-server'
const OIDC = '/.well-known/openid-configuration'

/** Validated authorization server metadata (RFC 8414 §2; OpenID Connect Discovery §3). */
export interface AuthorizationServerMetadata {
  /**
   * Identical to the issuer it was fetched for (ASD-5); for a 2025-03-26 server, same-origin
   * with the MCP server (legacy-discovery.ts).
   */
  readonly issuer: string
  readonly authorization_endpoint: string
  readonly token_endpoint: string
  /**
   * Contains `S256` (PKCE-3). Empty only for the 2025-03-26 default endpoints (`legacy:
   * 'default-endpoints'`): no metadata, so nothing is known; S256 is still sent.
   */
  readonly code_challenge_methods_supported: readonly string[]
  /** RFC 7591 dynamic client registration (deprecated by MCP 2026-07-28, DCR-1). */
  readonly registration_endpoint?: string
  /** RFC 7009 token revocation, used on logout. */
  readonly revocation_endpoint?: string
  /** Client ID metadata documents (CIMD-9). */
  readonly client_id_metadata_document_supported?: boolean
  /** RFC 9207 `iss` in authorization responses (ISS-3). */
  readonly authorization_response_iss_parameter_supported?: boolean
  readonly scopes_supported?: readonly string[]
  readonly token_endpoint_auth_methods_supported?: readonly string[]
  readonly [parameter: string]: unknown
}

/**
 * How a 2025-03-26 server's authorization server was found (legacy-discovery.ts):
 * `origin-metadata`, RFC 8414 / OIDC metadata at the MCP server's origin; `default-endpoints`,
 * no metadata at all, `/authorize`, `/token` and `/register` at that origin.
 */
export type LegacyAuthorizationServer = 'origin-metadata' | 'default-endpoints'

export interface DiscoveredAuthorizationServer {
  /**
   * The issuer exactly as listed in the protected resource metadata; for a 2025-03-26 server,
   * the `issuer` of the origin's metadata, or the origin itself without metadata. Registrations
   * and tokens are keyed by it (TOK-6).
   */
  readonly issuer: string
  /** The URL the metadata was read from (undefined: `default-endpoints`, there was none). */
  readonly metadataUrl: string | undefined
  readonly metadata: AuthorizationServerMetadata
  /** Set when the server published no protected resource metadata (a 2025-03-26 server). */
  readonly legacy?: LegacyAuthorizationServer
}

/**
 * The metadata URLs of an issuer in the order MCP clients try them (ASD-3). With a path:
 * RFC 8414 path insertion, OIDC path insertion, OIDC path appending; without: RFC 8414, then
 * OIDC. A terminating `/` is removed first (RFC 8414 §3.1). URLs are concatenated, never
 * resolved, so a path starting with `//` cannot name another host.
 * @see RFC 8414 §3.1
 * @see OpenID Connect Discovery 1.0 §4.1
 */
export function authorizationServerMetadataUrls(issuer: URL): URL[] {
  const path = issuer.pathname.replace(/\/$/, '')
  const at = (p: string) => new URL(`${issuer.origin}${p}`)
  if (path === '') return [at(RFC8414), at(OIDC)]
  return [at(`${RFC8414}${path}`), at(`${OIDC}${path}`), at(`${path}${OIDC}`)]
}

function stringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

/**
 * Checks what the client relies on: `issuer` identical to the one expected (ASD-5), S256
 * (PKCE-3), the endpoints (URL-1, T-7), the types; the document is returned unchanged.
 */
export function validateAuthorizationServerMetadata(
  document: Record<string, unknown>,
  issuer: string,
  url: URL,
  policy: ClientFetchPolicy,
  grantType: string,
): AuthorizationServerMetadata {
  const where = `the metadata of ${issuer} at ${endpointName(url)}`
  const bad = (problem: string, cause?: unknown) =>
    new DiscoveryError('invalid_authorization_server_metadata', `${where} ${problem}`, { cause })
  if (document.issuer !== issuer) {
    throw new DiscoveryError(
      'issuer_mismatch',
      `${where} names the issuer ${quoteValue(document.issuer)}; it must be identical to ${JSON.stringify(issuer)} (RFC 8414 §3.3), so it is not used. The authorization server or the protected resource metadata is misconfigured, or someone is impersonating the server`,
    )
  }
  const methods = document.code_challenge_methods_supported
  if (!stringArray(methods) || !methods.includes('S256')) {
    throw new DiscoveryError(
      'pkce_unsupported',
      `${where} does not list S256 in code_challenge_methods_supported (got ${methods === undefined ? 'none' : JSON.stringify(methods).slice(0, 100)}); MCP clients must not continue without PKCE S256. The authorization server must support and advertise it`,
    )
  }
  for (const [name, required] of [
    ['authorization_endpoint', true],
    ['token_endpoint', true],
    ['registration_endpoint', false],
    ['revocation_endpoint', false],
  ] as const) {
    const value = document[name]
    if (value === undefined && !required) continue
    if (value === undefined) throw bad(`has no ${name}`)
    try {
      checkUrl(value, `the ${name} of ${issuer}`, policy)
    } catch (error) {
      throw bad(`has an unusable ${name}: ${(error as Error).message}`, error)
    }
  }
  for (const name of ['response_types_supported', 'grant_types_supported'] as const) {
    const value = document[name]
    const needed = name === 'response_types_supported' ? 'code' : grantType
    if (value !== undefined && !(stringArray(value) && value.includes(needed))) {
      throw bad(`does not list ${needed} in ${name}`)
    }
  }
  for (const name of ['scopes_supported', 'token_endpoint_auth_methods_supported'] as const) {
    if (document[name] !== undefined && !stringArray(document[name])) {
      throw bad(`has a ${name} that is not a list of strings`)
    }
  }
  for (const name of [
    'client_id_metadata_document_supported',
    'authorization_response_iss_parameter_supported',
  ] as const) {
    const value = document[name]
    if (value !== undefined && typeof value !== 'boolean') throw bad(`has a non-boolean ${name}`)
  }
  return document as AuthorizationServerMetadata
}

/**
 * Fetches and validates the metadata of `issuer`, trying {@link authorizationServerMetadataUrls}
 * in order. A URL without a document (error status, not JSON, unreachable, refused) moves on to
 * the next; the first JSON object found is the metadata, and must pass every check.
 * @see RFC 8414 §3
 * @see OpenID Connect Discovery 1.0 §4
 */
export async function discoverAuthorizationServer(
  issuer: string,
  policy: ClientFetchPolicy,
  /** The grant the client will use: listed in `grant_types_supported` when that is given. */
  grantType = 'authorization_code',
): Promise<DiscoveredAuthorizationServer> {
  let issuerUrl: URL
  try {
    issuerUrl = checkUrl(issuer, `the issuer ${quoteValue(issuer)}`, policy)
  } catch (error) {
    throw new DiscoveryError('invalid_issuer', (error as Error).message, { cause: error })
  }
  if (issuerUrl.search !== '') {
    throw new DiscoveryError('invalid_issuer', `the issuer ${issuer} has a query (RFC 8414 §2)`)
  }
  const attempts: string[] = []
  let cause: unknown
  for (const url of authorizationServerMetadataUrls(issuerUrl)) {
    let document: Record<string, unknown>
    try {
      document = await fetchJsonObject(url, 'the authorization server metadata', policy)
    } catch (error) {
      if (!(error instanceof ClientFetchError)) throw error
      attempts.push(error.message)
      cause ??= error
      continue
    }
    const metadata = validateAuthorizationServerMetadata(document, issuer, url, policy, grantType)
    return { issuer, metadataUrl: url.href, metadata }
  }
  throw new DiscoveryError(
    'no_authorization_server_metadata',
    `found no metadata for the authorization server ${issuer}: ${attempts.join('; ')}. It must publish RFC 8414 or OpenID Connect discovery metadata`,
    { cause },
  )
}
