import { createLocalJWKSet, createRemoteJWKSet, customFetch, errors, jwtVerify } from 'jose'
import type { FetchImplementation, JSONWebKeySet, JWTPayload, JWTVerifyGetKey } from 'jose'
import {
  ASYMMETRIC_JWS_ALGORITHMS,
  OAuthError,
  parseHttpsOrLoopbackUrl,
  tokenFingerprint,
} from '../protocol/index.js'
import {
  boundedFetch,
  endpointName,
  FetchFailure,
  globalFetch,
  parseJsonObject,
} from './bounded-fetch.js'
import { SENDER_CONSTRAINED } from './verifier.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

/** Asymmetric algorithms only: `none` and HS* can never be configured (TOK-3). */
const ALLOWED_ALGORITHMS: ReadonlySet<string> = new Set<string>([
  ...ASYMMETRIC_JWS_ALGORITHMS,
  // RFC 9864's fully specified name for EdDSA over Ed25519, as jose spells it.
  'Ed25519',
])
const DEFAULT_ALGORITHMS = ['ES256', 'RS256', 'PS256', 'EdDSA'] as const
const INVALID = 'the access token is invalid or expired'
const UNAVAILABLE = 'the access token cannot be verified right now'
/** jose's own outage codes: the key set timed out, or its JSON is not a key set. */
const UNAVAILABLE_CODES = new Set(['ERR_JWKS_TIMEOUT', 'ERR_JWKS_INVALID'])
/** Far above any real key set (a few KiB); bounds what a broken or hostile endpoint makes us read. */
const MAX_JWKS_BYTES = 512 * 1024
/** Claims whose value a refusal detail may quote: public URLs, never user data (TOK-7). */
const QUOTABLE_CLAIMS: ReadonlySet<string> = new Set(['iss', 'aud'])
const MAX_QUOTED_CHARS = 100
const MAX_QUOTED_AUDIENCES = 5

export interface JwtVerifierOptions {
  /** The pinned issuer (`iss` must equal it exactly); https, http only on loopback. */
  issuer: string
  /** The value `aud` must contain: the canonical resource URI, or an IdP-specific value (TOK-4). */
  audience: string
  /**
   * The JWKS URL (https, http only on loopback), a local key set, or a key lookup (the built-in
   * authorization server hands over its keys in process: no HTTP round trip).
   */
  jwks: URL | JSONWebKeySet | JWTVerifyGetKey
  algorithms?: readonly string[]
  /** Leeway for `exp`/`nbf`/`iat`, 0–300 s (default 30). */
  clockToleranceSeconds?: number
  /** Require the RFC 9068 `typ: at+jwt` header. */
  requireAtJwtType?: boolean
  fetchTimeoutMs?: number
  /** Minimum time between two key-set refetches on an unknown `kid`. */
  cooldownMs?: number
  /**
   * Accept certificate-bound tokens (`cnf` with only `x5t#S256`, RFC 8705 §3.1) and return their
   * `cnf`, for the caller to check against the connection's client certificate. Only for the
   * built-in authorization server, whose listener sees the client certificate; any other `cnf`
   * (DPoP's `jkt`) is still refused. Default false: every `cnf` is refused.
   */
  acceptCertificateBound?: boolean
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

/**
 * The key set could not be fetched: an outage of the IdP (or a wrong jwks_uri), never a bad token.
 * Thrown only by {@link keySetFetch}, so it tells a fetch failure from every other jose error.
 */
class KeySetUnavailable extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'KeySetUnavailable'
  }
}

/**
 * The fetch jose uses for the key set: {@link boundedFetch} (deadline, no redirects, capped body)
 * and an answer that must be HTTP 200 with a JSON object. Any other outcome is a
 * {@link KeySetUnavailable} naming the URL (origin and path) and why; without this, jose reports
 * a 404/500 or a non-JSON body as ERR_JOSE_GENERIC, indistinguishable from a token error.
 */
function keySetFetch(url: URL, timeoutMs: number): FetchImplementation {
  const where = endpointName(url)
  return async (_href, { headers }) => {
    try {
      const init = { method: 'GET', headers }
      const options = { fetch: globalFetch, timeoutMs, maxBytes: MAX_JWKS_BYTES }
      const { status, body } = await boundedFetch(url, init, options)
      if (status !== 200) throw new FetchFailure(`answered HTTP ${status}`)
      parseJsonObject(body)
      return new Response(body, { status: 200, headers: { 'Content-Type': 'application/json' } })
    } catch (error) {
      const reason = error instanceof FetchFailure ? error.message : 'unexpected failure'
      throw new KeySetUnavailable(`key set at ${where}: ${reason}`)
    }
  }
}

function keyGetter(options: JwtVerifierOptions, timeout: number, cooldown: number) {
  const { jwks } = options
  if (typeof jwks === 'function') return jwks
  if (jwks instanceof URL) {
    const url = parseHttpsOrLoopbackUrl(jwks, 'jwks')
    return createRemoteJWKSet(url, {
      timeoutDuration: timeout,
      cooldownDuration: cooldown,
      [customFetch]: keySetFetch(url, timeout),
    })
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

/** One claim value as JSON in printable ASCII (one log line), strings cut at 100 characters. */
function quotedValue(value: unknown): string {
  const cut =
    typeof value === 'string' && value.length > MAX_QUOTED_CHARS
      ? `${value.slice(0, MAX_QUOTED_CHARS)}…`
      : value
  const json = JSON.stringify(cut) ?? typeof value
  const text = json.length > 2 * MAX_QUOTED_CHARS ? `${json.slice(0, 2 * MAX_QUOTED_CHARS)}…` : json
  return text.replace(
    /[^\x20-\x7E…]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  )
}

/** An `iss` or `aud` value for a refusal detail: at most 5 audiences, each cut at 100 chars. */
function quoted(value: unknown): string {
  if (!Array.isArray(value)) return quotedValue(value)
  const shown = value.slice(0, MAX_QUOTED_AUDIENCES).map(quotedValue)
  if (value.length > MAX_QUOTED_AUDIENCES) shown.push('…')
  return `[${shown.join(',')}]`
}

/**
 * The private detail of a refused token: the jose code and, for a claim check, which claim and
 * why (`claim aud: check_failed`), so the audit log tells a wrong issuer from a wrong audience,
 * `nbf`, `exp` or `typ`. `claim` and `reason` are jose's own names. Only `iss` and `aud` values
 * are quoted: they come from a token whose signature was already verified, and name public URLs.
 * Nothing else of the token is (TOK-7).
 */
function refusalDetail(error: errors.JOSEError): string {
  if (!(error instanceof errors.JWTClaimValidationFailed || error instanceof errors.JWTExpired)) {
    return error.code
  }
  const { claim, reason } = error
  const detail = `${error.code}: claim ${claim}: ${reason}`
  if (reason !== 'check_failed' || !QUOTABLE_CLAIMS.has(claim)) return detail
  const payload = error.payload as Record<string, unknown> | undefined
  return `${detail} (the token names ${quoted(payload?.[claim])})`
}

/**
 * The `cnf` of an accepted token: none, or (when certificate-bound tokens are accepted) exactly
 * `{ "x5t#S256": <string> }`. Any other confirmation refuses the token.
 */
function confirmation(cnf: unknown, acceptCertificateBound: boolean) {
  if (cnf === undefined) return undefined
  if (!acceptCertificateBound) {
    throw new OAuthError('invalid_token', INVALID, { detail: SENDER_CONSTRAINED })
  }
  const members = typeof cnf === 'object' && cnf !== null ? Object.keys(cnf) : []
  const bound = (cnf as Record<string, unknown> | null)?.['x5t#S256']
  if (Array.isArray(cnf) || members.length !== 1 || typeof bound !== 'string') {
    throw new OAuthError('invalid_token', INVALID, {
      detail:
        'cnf is not a certificate binding (x5t#S256 only); DPoP-bound tokens are not supported',
    })
  }
  return { 'x5t#S256': bound }
}

function unavailable(detail: string): OAuthError {
  return new OAuthError('temporarily_unavailable', UNAVAILABLE, { detail })
}

/**
 * ERR-2: a bad token is 401 `invalid_token`; not being able to get the keys (the key set did not
 * answer 200 with JSON, timed out, or is not a key set) is 503 `temporarily_unavailable`, so an
 * IdP outage never sends clients back to log in. Only failures of the key set fetch are 503:
 * other jose errors, ERR_JOSE_GENERIC included, stay 401.
 */
function toOAuthError(error: unknown): OAuthError {
  if (error instanceof OAuthError) return error
  if (error instanceof KeySetUnavailable) return unavailable(error.message)
  if (error instanceof errors.JOSEError) {
    if (UNAVAILABLE_CODES.has(error.code)) return unavailable(error.code)
    return new OAuthError('invalid_token', INVALID, { detail: refusalDetail(error) })
  }
  return unavailable(`verifier failed: ${error instanceof Error ? error.name : typeof error}`)
}

/**
 * A {@link TokenVerifier} for JWT access tokens signed by an external IdP, checked against its
 * JWKS with jose: signature with an asymmetric allow-listed `alg`, `iss` exact, `aud` containing
 * the configured audience (never skipped), `exp` required, `nbf`/`iat` with leeway, `sub`
 * required, optional `typ: at+jwt`. A sender-constrained token (`cnf`) is refused: no DPoP proof
 * or client certificate is checked here, so it must not pass as a bearer token; with
 * `acceptCertificateBound` a certificate-bound one is returned with its `cnf` for the caller to
 * check against the connection (authenticate.ts). A key set that
 * cannot be fetched is 503 `temporarily_unavailable`, a bad token 401 `invalid_token`; the
 * private detail says which check failed. Options are validated now, not on the first request.
 * @see RFC 9068
 * @see RFC 8705 §3.1
 * @see RFC 9449 §6.1
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
        const cnf = confirmation(payload.cnf, options.acceptCertificateBound === true)
        const clientId = payload.client_id ?? payload.azp
        return {
          subject: payload.sub,
          issuer,
          scopes: scopesOf(payload),
          audience: typeof payload.aud === 'string' ? [payload.aud] : [...(payload.aud ?? [])],
          expiresAt: payload.exp as number,
          ...(typeof clientId === 'string' ? { clientId } : {}),
          ...(typeof payload.gid === 'string' ? { grantId: payload.gid } : {}),
          tokenFingerprint: tokenFingerprint(token),
          ...(cnf === undefined ? {} : { cnf }),
        }
      } catch (error) {
        throw toOAuthError(error)
      }
    },
  }
}
