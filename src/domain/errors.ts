/**
 * The assistant's error vocabulary: a closed union of codes, one class, and a public message
 * that always says what to fix. Tools map a DomainError to an MCP tool error; anything else is
 * an internal error with a generic message (the detail is only logged).
 */
export type DomainErrorCode =
  /** No memory with that id belongs to the caller. */
  | 'memory_not_found'
  /** No task with that id belongs to the caller. */
  | 'task_not_found'
  /** The input breaks a documented limit or format. */
  | 'invalid_input'
  /** The storage backend cannot serve the request right now. */
  | 'storage_unavailable'
  /** A feature was asked for that this deployment has turned off. */
  | 'feature_disabled'

export class DomainError extends Error {
  override readonly name = 'DomainError'
  readonly code: DomainErrorCode
  /** Private detail for logs; never shown to a client. */
  readonly detail: string | undefined

  constructor(code: DomainErrorCode, message: string, detail?: string) {
    super(message)
    this.code = code
    this.detail = detail
  }
}

export function isDomainError(value: unknown): value is DomainError {
  return value instanceof DomainError
}
