import { DomainError } from './errors.js'

const encoder = new TextEncoder()

/** Byte length of a string in UTF-8. */
export function utf8Length(value: string): number {
  return encoder.encode(value).byteLength
}

/**
 * Throws `invalid_input` when `value` holds a NUL character: PostgreSQL cannot store it in text,
 * and no note needs it. Refused the same way on every backend.
 */
export function assertNoNul(field: string, value: string): void {
  if (value.includes('\u0000')) {
    throw new DomainError('invalid_input', `${field} contains a NUL character (U+0000): remove it`)
  }
}

/** Throws `invalid_input` when `value` is longer than `maxBytes` of UTF-8. */
export function assertMaxBytes(field: string, value: string, maxBytes: number): void {
  const size = utf8Length(value)
  if (size > maxBytes) {
    throw new DomainError(
      'invalid_input',
      `${field} is ${size} bytes; the limit is ${maxBytes} bytes (${Math.floor(maxBytes / 1024)} KiB). Shorten it or split it into several items`,
    )
  }
}

/** A short single-line preview for readable tool output. */
export function preview(value: string, chars = 120): string {
  const flat = value.replace(/\s+/g, ' ').trim()
  return flat.length <= chars ? flat : `${flat.slice(0, chars - 1)}…`
}
