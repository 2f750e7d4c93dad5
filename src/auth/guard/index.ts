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
