/**
 * Errors of the token store. Messages name files, permissions and the fix; they never contain a
 * token, a client secret or key material.
 */
export type TokenStoreErrorCode =
  /** A file or directory is readable or writable by others, or owned by another user. */
  | 'insecure_permissions'
  /** AES-GCM authentication failed: the file was modified, moved, or encrypted with another key. */
  | 'integrity'
  /** A stored value does not have the expected shape. */
  | 'corrupt'
  /** The keychain refused a write or did not keep a value. */
  | 'keychain_failure'
  /** Another process held the refresh lock for longer than the wait allowed. */
  | 'lock_timeout'
  /** A value read back after a write differs from what was written. */
  | 'not_persisted'

export class TokenStoreError extends Error {
  readonly code: TokenStoreErrorCode

  constructor(code: TokenStoreErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options)
    this.name = 'TokenStoreError'
    this.code = code
  }
}
