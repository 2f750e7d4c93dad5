import { DomainError } from './errors.js'

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/
const DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/

/**
 * Parses an ISO 8601 date (`2026-12-01`, taken as midnight UTC) or date-time with an explicit
 * offset (`2026-12-01T09:30:00+01:00`) and returns it in UTC (`2026-12-01T08:30:00.000Z`).
 * Anything else, including impossible dates like `2026-02-30`, is refused with a hint.
 */
export function parseIsoDate(field: string, value: string): string {
  const text = value.trim()
  const dateOnly = DATE_ONLY.test(text)
  if (!dateOnly && !DATE_TIME.test(text)) {
    throw new DomainError(
      'invalid_input',
      `${field} is not an ISO 8601 date: use YYYY-MM-DD or YYYY-MM-DDTHH:MM[:SS]Z (or with an offset such as +02:00)`,
    )
  }
  const ms = Date.parse(dateOnly ? `${text}T00:00:00Z` : text)
  if (Number.isNaN(ms)) {
    throw new DomainError('invalid_input', `${field} is not a real calendar date`)
  }
  const iso = new Date(ms).toISOString()
  // Date.parse rolls 2026-02-30 over to March; compare the calendar part to refuse it.
  if (dateOnly && iso.slice(0, 10) !== text) {
    throw new DomainError('invalid_input', `${field} is not a real calendar date`)
  }
  const year = new Date(ms).getUTCFullYear()
  if (year < 1970 || year > 9999) {
    throw new DomainError('invalid_input', `${field} must be between the years 1970 and 9999`)
  }
  return iso
}
