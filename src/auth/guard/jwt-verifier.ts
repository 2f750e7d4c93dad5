import { createLocalJWKSet, createRemoteJWKSet, errors, jwtVerify } from 'jose'
import type { JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose'
import { OAuthError, parseHttpsOrLoopbackUrl, tokenFingerprint } from '../protocol/index.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

/** Asymmetric algorithms only: `none` and HS* can never be configured (TOK-3). */
const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set([
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
  'Ed25519',
])
const DEFAULT_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const
const INVALID = 'the access token is invalid or expired'
const UNAVAILABLE = 'the access token cannot be verified right now'
const UNAVAILABLE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID'])

export interface JwtVerifierOptions {
  /** The pinned issuer (`iss` must equal it exactly); https, http only on loopback. */
  issuer: string
  /** The value `aud` must contain: the canonical resource URI, or an IdP-specific value (TOK-4). */
  audience: string
  /** The JWKS URL (https, http only on loopback) or a local key set. */
  jwks: URL | JSONWebKeySet
  algorithms?: readonly string[]
  /** Leeway for `exp`/`nbf`/`iat`, 0–300 s (default 30). */
  clockToleranceSeconds?: number
  /** Require the RFC 9068 `typ: at+jwt` header. */
  requireAtJwtType?: boolean
  fetchTimeoutMs?: number
  /** Minimum time between two key-set refetches on an unknown `kid`. */
  cooldownMs?: number
}

function validAlgorithms(algorithms: readonly string[]): string[] {
  if (!Array.isArray(algorithms) || algorithms.length === 0) {
    throw new TypeError('algorithms must be a non-empty list of asymmetric JWS algorithms')
  }
  for (const alg of algorithms) {
    if (alg === 'none' || /^HS/i.test(alg)) {
      throw new TypeError(
        `algorithm ${alg} is refused: "none" is unsigned and HMAC would let anyone holding the public key forge tokens`,
      )
    }
    if (!ALLOWED_ALGORITHMS.has(alg)) throw new TypeError(`algorithm ${alg} is not supported`)
  }
  return [...algorithms]
}

function intInRange(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer between ${min} and ${max}, got ${value}`)
  }
  return value
}

function keyGetter(options: JwtVerifierOptions, timeout: number, cooldown: number) {
  const { jwks } = options
  if (jwks instanceof URL) {
    const url = parseHttpsOrLoopbackUrl(jwks, 'jwks')
    return createRemoteJWKSet(url, { timeoutDuration: timeout, cooldownDuration: cooldown })
  }
  if (typeof jwks !== 'object' || jwks === null || !Array.isArray(jwks.keys)) {
    throw new TypeError('jwks must be a URL or a JSON Web Key Set ({ keys: [...] })')
  }
  return createLocalJWKSet(jwks)
}

function scopesOf(payload: JWTPayload): string[] {
  const { scope, scp } = payload
  if (typeof scope === 'string') return scope.split(' ').filter((s) => s !== '')
  if (typeof scp === 'string') return scp.split(' ').filter((s) => s !== '')
  if (Array.isArray(scp) && scp.every((s) => typeof s === 'string')) return [...scp]
  if (scope === undefined && scp === undefined) return []
  throw new OAuthError('invalid_token', INVALID, { detail: 'malformed scope claim' })
}

function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error
  if (error instanceof errors.JOSEError && !UNAVAILABLE_CODES.has(error.code)) {
    return new OAuthError('invalid_token', INVALID, { detail: error.code })
  }
  const detail = error instanceof errors.JOSEError ? error.code : 'key set unreachable'
  return new OAuthError('temporarily_unavailable', UNAVAILABLE, { detail })
}

/**
 * A {@link TokenVerifier} for JWT access tokens signed by an external IdP, checked against its
 * JWKS with jose: signature with an asymmetric allow-listed `alg`, `iss` exact, `aud` containing
 * the configured audience (never skipped), `exp` required, `nbf`/`iat` with leeway, `sub`
 * required, optional `typ: at+jwt`. Options are validated now, not on the first request.
 * @see RFC 9068
 * @see RFC 7519 §4.1
 */
export function createJwtVerifier(options: JwtVerifierOptions): TokenVerifier {
  parseHttpsOrLoopbackUrl(options.issuer, 'issuer')
  const issuer = options.issuer
  if (typeof options.audience !== 'string' || options.audience.trim() === '') {
    throw new TypeError('audience must be a non-empty string; the audience check is never skipped')
  }
  const audience = options.audience
  const algorithms = validAlgorithms(options.algorithms ?? DEFAULT_ALGORITHMS)
  const tolerance = intInRange(options.clockToleranceSeconds ?? 30, 'clockToleranceSeconds', 0, 300)
  const timeout = intInRange(options.fetchTimeoutMs ?? 5000, 'fetchTimeoutMs', 1, 60_000)
  const cooldown = intInRange(options.cooldownMs ?? 30_000, 'cooldownMs', 0, 3_600_000)
  const getKey: JWTVerifyGetKey = keyGetter(options, timeout, cooldown)
  const typ = options.requireAtJwtType === true ? 'at+jwt' : undefined

  return {
    async verify(token: string): Promise<VerifiedToken> {
      try {
        const { payload } = await jwtVerify(token, getKey, {
          issuer,
          audience,
          algorithms,
          clockTolerance: tolerance,
          requiredClaims: ['exp', 'sub', 'iss', 'aud'],
          ...(typ === undefined ? {} : { typ }),
        })
        const now = Math.floor(Date.now() / 1000)
        if (typeof payload.iat === 'number' && payload.iat > now + tolerance) {
          throw new OAuthError('invalid_token', INVALID, { detail: 'iat in the future' })
        }
        if (typeof payload.sub !== 'string' || payload.sub === '') {
          throw new OAuthError('invalid_token', INVALID, { detail: 'sub missing' })
        }
        const clientId = payload.client_id ?? payload.azp
        return {
          subject: payload.sub,
          issuer,
          scopes: scopesOf(payload),
          audience: typeof payload.aud === 'string' ? [payload.aud] : [...(payload.aud ?? [])],
          expiresAt: payload.exp as number,
          ...(typeof clientId === 'string' ? { clientId } : {}),
          tokenFingerprint: tokenFingerprint(token),
        }
      } catch (error) {
        throw toOAuthError(error)
      }
    },
  }
}
