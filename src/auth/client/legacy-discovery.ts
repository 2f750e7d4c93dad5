/**
 * The authorization server of a 2025-03-26 MCP server: one that publishes no protected resource
 * metadata at all (discovery.ts decides that; this module only runs after it). The 2025-03-26
 * revision of the MCP authorization spec makes the MCP server's origin (its URL with the path
 * removed) the authorization base URL: metadata from RFC 8414 at that origin, else the default
 * endpoints `/authorize`, `/token` and `/register` there.
 *
 * What still holds, and what cannot:
 * - the metadata is only read at the origin's own well-known URLs (RFC 8414, then OIDC). No
 *   issuer was announced by a resource metadata document, so ASD-5's "identical to the issuer
 *   fetched for" has no expected value: the document's `issuer` is accepted only when it is
 *   same-origin with the MCP server (https, or http on loopback, like every URL: T-7), and the
 *   client registration and tokens are keyed by it (TOK-6). A foreign issuer is refused — the
 *   server's origin cannot speak for another host;
 * - with metadata, S256 must be listed (PKCE-3), exactly as for a current server;
 * - the default endpoints are used only when every well-known URL answered "no document" (4xx):
 *   a timeout, a 5xx or a broken document is an error, never a silent downgrade. Without
 *   metadata, PKCE S256 is still sent but its support cannot be verified (the caller warns).
 * @see MCP 2025-03-26, Authorization §2.3.2 (server metadata discovery), §2.3.3 (fallbacks)
 * @see RFC 8414 §3
 */
import { isLoopbackHostname } from '../protocol/index.js'
import { validateAuthorizationServerMetadata } from './authorization-server-metadata.js'
import type { DiscoveredAuthorizationServer } from './authorization-server-metadata.js'
import { DiscoveryError, documentAbsent, quoteValue } from './discovery-errors.js'
import { fetchJsonObject } from './fetch.js'
import { checkUrl, ClientFetchError, endpointName } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

const WELL_KNOWN = ['/.well-known/oauth-authorization-server', '/.well-known/openid-configuration']

/** The 2025-03-26 default endpoint paths, at the authorization base URL (the origin). */
const DEFAULT_PATHS = {
  authorization_endpoint: '/authorize',
  token_endpoint: '/token',
  registration_endpoint: '/register',
} as const

/** The line the login prints when the default endpoints are used (PKCE-3 unverifiable). */
export function defaultEndpointsWarning(issuer: string): string {
  return `warning: ${issuer} publishes no OAuth metadata (a 2025-03-26 MCP server); using its default endpoints /authorize, /token and /register. PKCE S256 is sent, but the server's support for it is unconfirmed`
}

/**
 * The issuer named by the origin's metadata, if acceptable: an absolute https URL (http on
 * loopback) on the MCP server's origin, without query or fragment.
 */
function sameOriginIssuer(value: unknown, server: URL, url: URL, policy: ClientFetchPolicy) {
  const refuse = (why: string) =>
    new DiscoveryError(
      'issuer_mismatch',
      `the authorization server metadata at ${endpointName(url)} names the issuer ${quoteValue(value)}, ${why}; the MCP server publishes no protected resource metadata (a 2025-03-26 server), so only an issuer on its own origin ${server.origin} is trusted. The server operator must publish protected resource metadata (RFC 9728) naming the authorization server`,
    )
  let issuer: URL
  try {
    issuer = checkUrl(value, 'the issuer', policy)
  } catch (error) {
    if (!(error instanceof ClientFetchError)) throw error
    throw refuse(`which is not usable (${error.message})`)
  }
  if (issuer.origin !== server.origin) throw refuse('which is on another origin')
  if (issuer.search !== '' || (typeof value === 'string' && value.includes('?'))) {
    throw refuse('which has a query (RFC 8414 §2)')
  }
  if (issuer.protocol !== 'https:' && !isLoopbackHostname(issuer.hostname)) {
    throw refuse('which is not https')
  }
  return value as string
}

/**
 * The authorization server of the 2025-03-26 server at `server` (canonical, already checked):
 * the origin's metadata, else the default endpoints. See the module comment for the checks.
 */
export async function discoverLegacyAuthorizationServer(
  server: URL,
  policy: ClientFetchPolicy,
  /** The grant that will obtain the token, as for discoverAuthorizationServer. */
  grantType = 'authorization_code',
): Promise<DiscoveredAuthorizationServer> {
  const origin = server.origin
  for (const path of WELL_KNOWN) {
    const url = new URL(`${origin}${path}`)
    let document: Record<string, unknown>
    try {
      document = await fetchJsonObject(url, 'the authorization server metadata', policy)
    } catch (error) {
      if (!(error instanceof ClientFetchError)) throw error
      if (!documentAbsent(error)) {
        throw new DiscoveryError(
          'no_authorization_server_metadata',
          `the MCP server publishes no protected resource metadata (a 2025-03-26 server), and its authorization server metadata could not be read: ${error.message}. Try again; the default endpoints are only used when the server answers that it has no metadata`,
          { cause: error },
        )
      }
      continue
    }
    const issuer = sameOriginIssuer(document.issuer, server, url, policy)
    const metadata = validateAuthorizationServerMetadata(document, issuer, url, policy, grantType)
    return { issuer, metadataUrl: url.href, metadata, legacy: 'origin-metadata' }
  }
  const endpoints = Object.fromEntries(
    Object.entries(DEFAULT_PATHS).map(([name, path]) => [name, `${origin}${path}`]),
  ) as Record<keyof typeof DEFAULT_PATHS, string>
  return {
    issuer: origin,
    metadataUrl: undefined,
    metadata: { issuer: origin, ...endpoints, code_challenge_methods_supported: [] },
    legacy: 'default-endpoints',
  }
}
