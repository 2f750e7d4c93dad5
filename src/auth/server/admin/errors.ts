import type { AuditSink } from '../../../audit/index.js'

/**
 * Why an administrative operation was refused: the input breaks a rule (`invalid_input`), the
 * thing named does not exist (`not_found`) or already does (`conflict`). The message is written
 * for the administrator and says what to change; it never holds a secret.
 */
export type AdminErrorCode = 'invalid_input' | 'not_found' | 'conflict'

export class AdminError extends Error {
  override readonly name = 'AdminError'
  readonly code: AdminErrorCode
  constructor(code: AdminErrorCode, message: string) {
    super(message)
    this.code = code
  }
}

export function isAdminError(error: unknown): error is AdminError {
  return error instanceof AdminError
}

/** What every changing operation needs: where its audit event goes, and the clock (epoch ms). */
export interface AdminContext {
  audit: AuditSink
  now?: () => number
}

export const clockOf = (context: AdminContext): number => (context.now ?? Date.now)()

/** Control characters (C0, DEL, C1, line/paragraph separators). */
// eslint-disable-next-line no-control-regex
export const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/u
