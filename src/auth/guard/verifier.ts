/** What the guard knows about a caller once its access token has been verified. */
export interface VerifiedToken {
  /** `sub`: with `issuer`, the identity of the user. */
  subject: string
  /** `iss`, exactly as configured. */
  issuer: string
  /** Granted scopes, from `scope` (RFC 9068 §2.2.3) or `scp`. */
  scopes: string[]
  /** `aud`, always as an array; contains this resource's audience. */
  audience: string[]
  /** `exp`, seconds since the epoch. */
  expiresAt: number
  /** `client_id` (RFC 9068 §2.2) or `azp`, when present. */
  clientId?: string
  /** The built-in authorization server's grant (`gid`), checked for revocation. */
  grantId?: string
  /** `sha256:` + 16 hex of the token: the only form of the token that may be logged. */
  tokenFingerprint: string
  /**
   * `cnf` of a certificate-bound token (RFC 8705 §3.1), when the verifier accepts them (the
   * built-in authorization server's): the token is good only on a connection whose client
   * certificate it names, which {@link authenticate} checks on every request.
   */
  cnf?: { 'x5t#S256': string }
}

/**
 * The private detail refusing a token bound to a key (`cnf`: RFC 8705 §3.1 certificate-bound,
 * RFC 9449 §6 DPoP-bound) where no proof of possession is checked, so it must not pass as a
 * bearer token: the introspection verifier and the JWT verifier of an external identity provider
 * say the same. Only certificate-bound tokens of the built-in authorization server are accepted
 * (`acceptCertificateBound`), with the client certificate checked per request.
 */
export const SENDER_CONSTRAINED = 'sender-constrained token (cnf) is not supported'

/**
 * The port every token verifier implements (JWT via JWKS, introspection, built-in). It resolves
 * with a verified token or rejects with an OAuthError: `invalid_token` for any bad token,
 * `temporarily_unavailable` when the verifier cannot reach what it needs.
 */
export interface TokenVerifier {
  verify(token: string): Promise<VerifiedToken>
}
