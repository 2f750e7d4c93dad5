/**
 * An `invalid_grant` error (HTTP 400) in the shape oidc-provider's error handler renders
 * (`expose`, `statusCode`, `message` as the error code, `error_description`): thrown from the
 * adapter inside the engine, it becomes the token endpoint's `invalid_grant` answer instead of
 * a `server_error`. Our own class, so this module needs nothing of the engine at run time.
 */
export class InvalidGrantError extends Error {
  readonly error = 'invalid_grant'
  readonly status = 400
  readonly statusCode = 400
  readonly expose = true
  readonly error_description = 'grant request is invalid'
  readonly error_detail: string

  constructor(detail: string) {
    super('invalid_grant')
    this.name = 'InvalidGrant'
    this.error_detail = detail
  }
}
