/**
 * The CLI OAuth client (DESIGN §4: imports only auth/protocol). Discovery: from an MCP server URL
 * to its resource metadata and a usable authorization server, over requests that refuse unsafe
 * URLs learned from servers.
 * @see RFC 9728
 * @see RFC 8414
 */
export { discover, readBearerChallenge, scopeToRequest } from './discovery.js'
export type { BearerChallenge, DiscoveryOptions, DiscoveryResult } from './discovery.js'
/** Discovery errors: a closed union of codes; messages say what to fix. */
export { DiscoveryError } from './discovery-errors.js'
export type { DiscoveryErrorCode } from './discovery-errors.js'
/**
 * Protected resource metadata: lookup order (PRM-6) and the resource check (PRM-8).
 * @see RFC 9728 §3
 */
export { findResourceMetadata } from './resource-metadata.js'
export type { FoundResourceMetadata, ProtectedResourceMetadata } from './resource-metadata.js'
/**
 * Authorization server metadata: probe order (ASD-3), issuer identity (ASD-5), S256 (PKCE-3).
 * @see RFC 8414 §3
 */
export {
  authorizationServerMetadataUrls,
  discoverAuthorizationServer,
} from './authorization-server-metadata.js'
export type {
  AuthorizationServerMetadata,
  DiscoveredAuthorizationServer,
} from './authorization-server-metadata.js'
/**
 * Requests to URLs learned from servers: https, public addresses pinned at connect time, no
 * redirects, a deadline and a size cap (SSRF, T-7).
 */
export { clientRequest, fetchJsonObject } from './fetch.js'
export type { ClientRequest, ClientResponse } from './fetch.js'
export { checkUrl, ClientFetchError, clientFetchPolicy, isPublicAddress } from './url-policy.js'
export type {
  ClientFetchErrorCode,
  ClientFetchOptions,
  ClientFetchPolicy,
  Resolver,
} from './url-policy.js'
