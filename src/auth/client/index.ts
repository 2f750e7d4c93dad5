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
/**
 * Logging in (issue 5, item 4): loopback listener on 127.0.0.1, client choice (pre-registered →
 * client ID metadata document → RFC 7591 → a message), PKCE S256 + state + resource, the URL
 * opened without a shell, printed or followed headless, callback checks (state, RFC 9207 iss),
 * code exchange, tokens stored per (issuer, resource).
 * @see RFC 6749 §4.1
 * @see RFC 7636 §4
 * @see RFC 8252 §7.3
 * @see RFC 9207 §2.4
 */
export { login, policyForServer, scopesForLogin } from './authorize-login.js'
export type { LoginMode, LoginOptions, LoginResult } from './authorize-login.js'
export { DEFAULT_CLIENT_METADATA_URL } from './registration.js'
export type { ChosenClient, PreRegisteredClient } from './registration.js'
/** Authorization, registration and token errors: a closed union of codes, safe messages. */
export { AuthorizationError } from './authorize-errors.js'
export type { AuthorizationErrorCode } from './authorize-errors.js'
/**
 * Tokens after login: refresh ahead of expiry under the cross-process lock with persisted
 * rotation, and revocation on logout.
 * @see RFC 6749 §6
 * @see RFC 7009 §2
 */
export { getValidToken } from './tokens-valid.js'
export type { GetValidTokenOptions } from './tokens-valid.js'
export { revokeCredentials } from './tokens-revoke.js'
export type { RevocationOutcome, RevocationResult } from './tokens-revoke.js'
/** Step-up on 403 insufficient_scope: scope union and per-operation attempt counts (STEP-1..3). */
export { createStepUpTracker, insufficientScope, unionScopes } from './step-up.js'
export type { StepUpDecision, StepUpTracker } from './step-up.js'
/**
 * Tokens without a user: the client_credentials grant (client_secret_basic/post or
 * private_key_jwt) and cross-app access (RFC 8693 ID-JAG exchange, then the RFC 7523 grant).
 * @see RFC 6749 §4.4
 * @see RFC 7523 §2.1, §2.2
 * @see RFC 8693 §2
 */
export { grantTypeOf, obtainGrantToken } from './client-credentials-grant.js'
export type {
  GrantTokenOptions,
  GrantTokenResult,
  MachineGrant,
} from './client-credentials-grant.js'
export { requestClientCredentialsToken } from './client-credentials.js'
export type { ClientCredentials, GrantContext } from './client-credentials.js'
export { requestCrossAppAccessToken, requestIdJag } from './cross-app-access.js'
export type { CrossAppAccess } from './cross-app-access.js'
export {
  CLIENT_ASSERTION_ALGORITHMS,
  isClientAssertionAlgorithm,
  signClientAssertion,
} from './client-assertion.js'
export type { ClientAssertionAlgorithm, ClientAssertionKey } from './client-assertion.js'
