import { LIMITS } from './limits.js'
import { DomainError } from './errors.js'

/** A page of results, newest first, with an opaque cursor for the next page. */
export interface Page<T> {
  items: T[]
  nextCursor: string | null
}

export interface PageRequest {
  limit: number
  /** Opaque cursor from a previous page. */
  cursor?: string | undefined
}

/** Keyset position: (sort timestamp, id), encoded as base64url JSON. */
export interface CursorPosition {
  at: string
  id: string
}

export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at, position.id]), 'utf8').toString('base64url')
}

export function decodeCursor(cursor: string): CursorPosition {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'))
    if (
      Array.isArray(value) &&
      value.length === 2 &&
      typeof value[0] === 'string' &&
      typeof value[1] === 'string'
    ) {
      return { at: value[0], id: value[1] }
    }
  } catch {
    // fall through to the public error
  }
  throw new DomainError(
    'invalid_input',
    'cursor is not valid: pass the next_cursor of a previous page',
  )
}

export function pageLimit(limit: number | undefined): number {
  const value = limit ?? LIMITS.pageSizeDefault
  if (!Number.isInteger(value) || value < 1 || value > LIMITS.pageSizeMax) {
    throw new DomainError(
      'invalid_input',
      `limit must be a whole number from 1 to ${LIMITS.pageSizeMax}`,
    )
  }
  return value
}
