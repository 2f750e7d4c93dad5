/**
 * The OAuth error vocabulary (closed union of RFC codes) and its error class.
 * @see RFC 6750 §3.1
 * @see RFC 6749 §5.2
 */
export { OAuthError, oauthErrorStatus } from './errors.js'
/**
 * Types of the OAuth error vocabulary.
 * @see RFC 6750 §3.1
 */
export type { OAuthErrorCode, OAuthErrorOptions } from './errors.js'
/**
 * Canonical resource URIs and the protected resource metadata URLs derived from them.
 * @see RFC 8707 §2
 * @see RFC 9728 §3.1
 */
export { canonicalResourceUri, protectedResourceMetadataUrls } from './resource.js'
/**
 * The two well-known metadata URLs of a resource.
 * @see RFC 9728 §3.1
 */
export type { ProtectedResourceMetadataUrls } from './resource.js'
/**
 * Random tokens, constant-time comparison and hashing: the only secret-handling module.
 * @see RFC 6749 §10.10
 */
export { constantTimeEqual, randomToken, sha256Hex, tokenFingerprint } from './secrets.js'
/** A bounded map whose entries expire: the caches of the guard and the authorization server. */
export { ExpiringLru } from './expiring-lru.js'
/**
 * HTTPS-or-loopback URL checks for OAuth endpoints.
 * @see RFC 8252 §8.3
 */
export { isLoopbackHostname, parseHttpsOrLoopbackUrl } from './url.js'
/**
 * A tolerant `WWW-Authenticate` parser: several challenges, quoted strings, token68.
 * @see RFC 9110 §11.6.1
 * @see RFC 6750 §3
 */
export { parseWwwAuthenticate } from './www-authenticate.js'
/**
 * One parsed challenge.
 * @see RFC 9110 §11.6.1
 */
export type { WwwAuthenticateChallenge } from './www-authenticate.js'
/** Asymmetric JWS algorithms: one allow-list for verifying and signing. */
export { ASYMMETRIC_JWS_ALGORITHMS } from './jws.js'
export type { AsymmetricJwsAlgorithm } from './jws.js'
