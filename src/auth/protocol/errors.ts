/**
 * The OAuth error vocabulary of this layer: RFC strings as a closed union (CONVENTIONS §5.4).
 * Grows with the code that needs it; every member cites its RFC section.
 */
export type OAuthErrorCode =
  /**
   * RFC 6750 §3.1 / RFC 6749 §5.2: the request is missing a required parameter, includes an
   * unsupported parameter or value, repeats a parameter, uses more than one method to include an
   * access token, or is otherwise malformed. HTTP 400.
   */
  | 'invalid_request'
  /**
   * RFC 6750 §3.1: the access token is expired, revoked, malformed or invalid for other reasons.
   * HTTP 401.
   */
  | 'invalid_token'
  /**
   * RFC 6750 §3.1: the request requires higher privileges than provided by the access token.
   * HTTP 403; the challenge names the scopes needed.
   */
  | 'insufficient_scope'
  /**
   * RFC 6749 §4.1.2.1: the server met an unexpected condition that prevented it from fulfilling
   * the request. HTTP 500.
   */
  | 'server_error'
  /**
   * RFC 6749 §4.1.2.1: the server is temporarily unable to handle the request (overload,
   * maintenance, an unreachable key set). HTTP 503.
   */
  | 'temporarily_unavailable'

const DEFAULT_STATUS: Readonly<Record<OAuthErrorCode, number>> = Object.freeze({
  __proto__: null,
  invalid_request: 400,
  invalid_token: 401,
  insufficient_scope: 403,
  server_error: 500,
  temporarily_unavailable: 503,
} as Record<OAuthErrorCode, number>)

/** The HTTP status an error code maps to by default (RFC 6750 §3.1). */
export function oauthErrorStatus(code: OAuthErrorCode): number {
  return DEFAULT_STATUS[code]
}

export interface OAuthErrorOptions {
  /** Overrides the default status of the code. */
  status?: number
  /** Private detail for logs only; never sent on the wire. */
  detail?: string
  cause?: unknown
}

/**
 * An error with an RFC code. `description` is public, generic text safe to send as
 * `error_description`; `detail` is private and only ever logged.
 */
export class OAuthError extends Error {
  readonly code: OAuthErrorCode
  readonly status: number
  readonly description: string
  readonly #detail: string | undefined

  constructor(code: OAuthErrorCode, description: string, options: OAuthErrorOptions = {}) {
    super(description, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'OAuthError'
    this.code = code
    this.status = options.status ?? oauthErrorStatus(code)
    this.description = description
    this.#detail = options.detail
  }

  /** The private detail, for the audit log only. */
  get detail(): string | undefined {
    return this.#detail
  }

  /** The wire form: `{ error, error_description }`. */
  toResponseObject(): { error: OAuthErrorCode; error_description: string } {
    return { error: this.code, error_description: this.description }
  }
}
