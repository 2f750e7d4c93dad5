/**
 * Why registration, authorization or a token request stopped. Messages say what happened and
 * what to do; they never contain a token, a client secret, a code, a verifier or a state, and
 * text received from a server is quoted only after {@link serverText} cleaned and shortened it.
 */
export type AuthorizationErrorCode =
  /** The configured client ID metadata document URL breaks the CIMD URL rules (CIMD-3). */
  | 'invalid_client_metadata_url'
  /** Pre-registered credentials name another issuer than the one discovery found (BIND-2). */
  | 'client_issuer_mismatch'
  /** No pre-registered client, no CIMD support, no registration endpoint (REG-2 ④). */
  | 'registration_unavailable'
  /** The registration endpoint refused the request (DCR-3) or could not be used. */
  | 'registration_failed'
  /** The callback's `iss` is absent although advertised, or differs (ISS-3). */
  | 'issuer_mismatch'
  /** The user or the authorization server refused (`error=access_denied`). */
  | 'access_denied'
  /**
   * The authorization endpoint refused the request itself, with an error page instead of a
   * redirect (RFC 6749 §4.1.2.1: an unknown client or redirect URI), seen by the pre-flight check.
   */
  | 'authorization_refused'
  /** Another `error` in the authorization response (RFC 6749 §4.1.2.1). */
  | 'authorization_failed'
  /** The authorization response is malformed: no code, a repeated parameter. */
  | 'invalid_authorization_response'
  /** The loopback listener cannot listen (the port is taken). */
  | 'loopback_unavailable'
  /** No valid callback arrived before the deadline. */
  | 'callback_timeout'
  /** The browser could not be started; the URL must be opened by hand. */
  | 'browser_failed'
  /** Headless mode did not reach the callback (a login page, a loop, a refused hop). */
  | 'headless_failed'
  /** The token endpoint refused a request (its `error` is in `oauthError`). */
  | 'token_request_failed'
  /** The token endpoint answered 200 with something that is not a usable Bearer token. */
  | 'invalid_token_response'
  /** No usable credentials: never logged in, expired without refresh token, or refresh refused. */
  | 'login_required'

export interface AuthorizationErrorOptions {
  cause?: unknown
  /** The RFC 6749 / RFC 7591 `error` code the server returned, when it returned one. */
  oauthError?: string
  /** The HTTP status of the answer, when there was one. */
  status?: number
}

export class AuthorizationError extends Error {
  readonly code: AuthorizationErrorCode
  readonly oauthError: string | undefined
  readonly status: number | undefined

  constructor(
    code: AuthorizationErrorCode,
    message: string,
    options: AuthorizationErrorOptions = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'AuthorizationError'
    this.code = code
    this.oauthError = options.oauthError
    this.status = options.status
  }
}

/**
 * Text from a server (an `error_description`) made safe to show: printable ASCII only (RFC 6749
 * §5.2 allows no more), at most 200 characters, and every value in `secrets` blanked out in case
 * the server echoed one.
 */
export function serverText(value: unknown, secrets: readonly (string | undefined)[] = []): string {
  if (typeof value !== 'string') return ''
  let text = value.replace(/[^\x20-\x7E]/g, ' ')
  for (const value of secrets) {
    if (typeof value === 'string' && value.length > 0) text = text.split(value).join('[redacted]')
  }
  return text.length > 200 ? `${text.slice(0, 200)}…` : text
}

/** `code` or `code: description`, for messages about an OAuth error answer. */
export function describeOAuthError(
  error: string,
  description: unknown,
  secrets: readonly (string | undefined)[] = [],
): string {
  const code = serverText(error, secrets).slice(0, 64)
  const text = serverText(description, secrets)
  return text === '' ? code : `${code}: ${text}`
}
