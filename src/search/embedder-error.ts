/** Why an embeddings request failed. */
export type EmbedderErrorCode =
  /** 401: the API key was refused. */
  | 'unauthorized'
  /** 403: the key may not use this model or endpoint. */
  | 'forbidden'
  /** 404: wrong URL or unknown model. */
  | 'not_found'
  /** 400 or 422: the service refused the request (model, dimensions or an input too long). */
  | 'bad_request'
  /** 429: rate limited or out of quota. */
  | 'rate_limited'
  /** 5xx: the service is failing. */
  | 'unavailable'
  /** Any other non-2xx status, redirects included. */
  | 'http_error'
  /** No answer within the configured time. */
  | 'timeout'
  /** The service could not be reached (DNS, connection refused, TLS). */
  | 'unreachable'
  /** A 2xx answer that is not a well-formed embeddings response. */
  | 'bad_response'
  /** The request could not be made from what the caller or the configuration gave. */
  | 'invalid_request'

/**
 * A failed call to an embeddings service. The message is safe to show and to log: it never
 * contains the API key, the texts or the service's response body; it says what to check.
 */
export class EmbedderError extends Error {
  override readonly name = 'EmbedderError'
  readonly code: EmbedderErrorCode
  /** The HTTP status, when the service answered. */
  readonly status: number | undefined
  /** From a 429 or 503 answer's `Retry-After` header, in seconds, when it gave one. */
  readonly retryAfterSeconds: number | undefined

  constructor(
    code: EmbedderErrorCode,
    message: string,
    options: { status?: number; retryAfterSeconds?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.code = code
    this.status = options.status
    this.retryAfterSeconds = options.retryAfterSeconds
  }
}

export function isEmbedderError(value: unknown): value is EmbedderError {
  return value instanceof EmbedderError
}
