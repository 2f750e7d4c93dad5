/**
 * The asymmetric JWS algorithms this project signs or verifies with (RFC 7518 §3.1, RFC 8037).
 * `none` and the HMAC family are not in it: an HMAC "signature" keyed with a public key is the
 * classic algorithm-confusion forgery (TOK-3). One list for the guard's allow-list and the
 * client's assertions; `config/kinds.ts` keeps its own copy (config imports nothing from src),
 * held equal to this one by a test.
 * @see RFC 8725 §3.1
 */
export const ASYMMETRIC_JWS_ALGORITHMS = [
  'ES256',
  'ES384',
  'ES512',
  'RS256',
  'RS384',
  'RS512',
  'PS256',
  'PS384',
  'PS512',
  'EdDSA',
] as const

export type AsymmetricJwsAlgorithm = (typeof ASYMMETRIC_JWS_ALGORITHMS)[number]
