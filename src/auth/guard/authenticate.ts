import { OAuthError, tokenFingerprint, type OAuthErrorCode } from '../protocol/index.js'
import { extractBearerToken, MissingCredentialsError } from './bearer.js'
import { challengeResponse, type ChallengeOptions } from './challenge.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

/** Why a request was refused: no credentials at all, or the OAuth error code. */
export type RefusalReason = 'missing' | OAuthErrorCode

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
 * @see RFC 6750 §3.1
 * @see RFC 9728 §5.1
 */
export async function authenticate(
  request: Request,
  verifier: TokenVerifier,
  challenge: ChallengeOptions,
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
    return { ok: true, token: await verifier.verify(token) }
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
