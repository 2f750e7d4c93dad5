import { OAuthError, tokenFingerprint, type OAuthErrorCode } from '../protocol/index.js'
import { extractBearerToken, MissingCredentialsError } from './bearer.js'
import { certificateBindingMatches } from './certificate-binding.js'
import { challengeResponse, type ChallengeOptions } from './challenge.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

/** Why a request was refused: no credentials at all, or the OAuth error code. */
export type RefusalReason = 'missing' | OAuthErrorCode

/** What the transport knows about the connection a request came on. */
export interface ConnectionInfo {
  /** DER of the client certificate presented in this connection's TLS handshake, if any. */
  clientCertificate?: Uint8Array | undefined
}

/** The outcome of authenticating one request: the verified token, or the response to send. */
export type AuthenticationOutcome =
  | { ok: true; token: VerifiedToken }
  | {
      ok: false
      reason: RefusalReason
      /** Private detail for the audit log (never contains the token). */
      detail: string | undefined
      /** SHA-256 fingerprint of the refused token, when one was presented. */
      fingerprint?: string
      response: Response
    }

/**
 * The resource server's gate for one request: extract the bearer token from the Authorization
 * header only, verify it, and map any failure to the spec's answer through the one mapper
 * ({@link challengeResponse}): 401 without error code when there is no token, 401
 * `invalid_token`, 400 `invalid_request`, or 503 when the verifier cannot decide. Anything the
 * verifier throws that is not an OAuthError becomes a 503 `temporarily_unavailable`, never a 500
 * with a stack trace. Scopes are checked by the caller, which knows what the request needs.
 * A certificate-bound token (`cnf`, only from a verifier that accepts them) passes only when
 * `connection` presented the certificate it names; otherwise 401 `invalid_token` (RFC 8705 §3).
 * The check runs per request, after any cached verification: the token is cached, not the
 * connection.
 * @see RFC 6750 §3.1
 * @see RFC 9728 §5.1
 * @see RFC 8705 §3
 */
export async function authenticate(
  request: Request,
  verifier: TokenVerifier,
  challenge: ChallengeOptions,
  connection: ConnectionInfo = {},
): Promise<AuthenticationOutcome> {
  let token: string
  try {
    token = extractBearerToken(request)
  } catch (error) {
    if (error instanceof MissingCredentialsError) {
      return {
        ok: false,
        reason: 'missing',
        detail: undefined,
        response: challengeResponse('missing', challenge),
      }
    }
    return refusal(error, challenge)
  }
  try {
    const verified = await verifier.verify(token)
    if (
      verified.cnf !== undefined &&
      !certificateBindingMatches(verified.cnf, connection.clientCertificate)
    ) {
      throw new OAuthError('invalid_token', 'the access token is invalid or expired', {
        detail:
          connection.clientCertificate === undefined
            ? 'certificate-bound token (cnf x5t#S256) on a connection without a client certificate'
            : 'certificate-bound token (cnf x5t#S256) with another client certificate',
      })
    }
    return { ok: true, token: verified }
  } catch (error) {
    return { ...refusal(error, challenge), fingerprint: tokenFingerprint(token) }
  }
}

function refusal(
  error: unknown,
  challenge: ChallengeOptions,
): Extract<AuthenticationOutcome, { ok: false }> {
  const oauth =
    error instanceof OAuthError
      ? error
      : new OAuthError('temporarily_unavailable', 'the access token cannot be verified right now', {
          detail: `verifier failed: ${error instanceof Error ? error.name : typeof error}`,
        })
  return {
    ok: false,
    reason: oauth.code,
    detail: oauth.detail,
    response: challengeResponse(oauth, challenge),
  }
}

/**
 * The 403 for a verified token that lacks scopes: `insufficient_scope` naming every scope the
 * call needs in one challenge (ERR-5, ERR-6).
 * @see RFC 6750 §3.1
 */
export function insufficientScopeResponse(
  needed: readonly string[],
  challenge: Omit<ChallengeOptions, 'scope'>,
): Response {
  const error = new OAuthError(
    'insufficient_scope',
    `this call needs the scope${needed.length === 1 ? '' : 's'} ${needed.join(' ')}`,
  )
  return challengeResponse(error, { ...challenge, scope: needed })
}
