/**
 * Bearer token extraction from the Authorization header only, and the distinct
 * "no credentials" outcome.
 * @see RFC 6750 §2.1
 * @see RFC 6750 §3.1
 */
export { extractBearerToken, MissingCredentialsError } from './bearer.js'
/**
 * The `WWW-Authenticate` challenge and the one mapper from guard outcomes to responses.
 * @see RFC 6750 §3
 * @see RFC 9728 §5.1
 */
export { challengeHeader, challengeResponse } from './challenge.js'
/**
 * Options of the challenge builders.
 * @see RFC 6750 §3
 */
export type { ChallengeHeaderOptions, ChallengeOptions } from './challenge.js'
/**
 * The protected resource metadata document, validated at construction.
 * @see RFC 9728 §2
 */
export { protectedResourceMetadata } from './resource-metadata.js'
/**
 * Types of the protected resource metadata document.
 * @see RFC 9728 §2
 */
export type {
  ProtectedResourceMetadata,
  ProtectedResourceMetadataOptions,
} from './resource-metadata.js'
/**
 * The token verifier port and what it yields.
 * @see RFC 6750 §3.1
 */
export type { TokenVerifier, VerifiedToken } from './verifier.js'
/**
 * JWT access token verification against a JWKS with jose.
 * @see RFC 9068
 * @see RFC 7517
 */
export { createJwtVerifier } from './jwt-verifier.js'
/**
 * Options of the JWT verifier.
 * @see RFC 9068
 */
export type { JwtVerifierOptions } from './jwt-verifier.js'
/**
 * The gate for one request (extract, verify, map failures) and the insufficient-scope answer.
 * @see RFC 6750 §3.1
 * @see RFC 9728 §5.1
 */
export { authenticate, insufficientScopeResponse } from './authenticate.js'
/**
 * What authenticating a request yields.
 * @see RFC 6750 §3.1
 */
export type { AuthenticationOutcome, ConnectionInfo, RefusalReason } from './authenticate.js'
/**
 * Certificate-bound access tokens: the thumbprint and the binding check.
 * @see RFC 8705 §3
 */
export { certificateBindingMatches, certificateThumbprint } from './certificate-binding.js'
/**
 * Opaque access token verification through the authorization server's introspection endpoint,
 * with a bounded cache of answers (≤ 60 s) keyed by the SHA-256 of the token.
 * @see RFC 7662 §2
 * @see RFC 6749 §2.3.1
 */
export { createIntrospectionVerifier } from './introspection-verifier.js'
/**
 * Options of the introspection verifier and the secret shape it accepts.
 * @see RFC 7662 §2.1
 */
export type { IntrospectionVerifierOptions, SecretLike } from './introspection-options.js'
/**
 * A bounded LRU of verified tokens in front of any verifier, honoured until `exp`, with one shared
 * verification per token in flight.
 * @see RFC 7519 §4.1.4
 */
export { cachingVerifier } from './cached-verifier.js'
/**
 * The caching verifier and its options.
 * @see RFC 7519 §4.1.4
 */
export type { CachingVerifier, CachingVerifierOptions } from './cached-verifier.js'
/**
 * Authorization server metadata discovery (RFC 8414, then OpenID Connect Discovery) with the
 * exact issuer check, and the JWKS and introspection URLs taken from it.
 * @see RFC 8414 §3
 * @see RFC 8414 §3.3
 */
export {
  authorizationServerMetadataUrls,
  discoverAuthorizationServerMetadata,
  discoverIntrospectionEndpoint,
  discoverJwksUri,
  DiscoveryError,
} from './discovery.js'
/**
 * The validated metadata document, the discovery options and one failed attempt.
 * @see RFC 8414 §2
 */
export type {
  AuthorizationServerMetadata,
  DiscoveryAttempt,
  DiscoveryOptions,
} from './discovery.js'
export { grantCheckingVerifier } from './grant-check.js'
export type { GrantCheckOptions } from './grant-check.js'
