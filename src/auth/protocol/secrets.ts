import { hash, randomBytes, timingSafeEqual } from 'node:crypto'

/**
 * The only module that makes random tokens, compares secrets and hashes them (CONVENTIONS §5.7).
 */

/** A random base64url token of `bytes` bytes of entropy (default 32 = 256 bits). */
export function randomToken(bytes = 32): string {
  if (!Number.isInteger(bytes) || bytes < 16 || bytes > 1024) {
    throw new TypeError('randomToken needs an integer byte count between 16 and 1024')
  }
  return randomBytes(bytes).toString('base64url')
}

// `hash` is Node's one-shot digest (no Hash object per call): these run several times per request.
function sha256(value: string): Buffer {
  return hash('sha256', value, 'buffer')
}

/**
 * Compares two secrets in constant time. Both sides are hashed first, so the comparison runs over
 * equal-length digests and neither the content nor the length of the secret leaks through timing.
 */
export function constantTimeEqual(a: string, b: string): boolean {
  if (typeof a !== 'string' || typeof b !== 'string') return false
  return timingSafeEqual(sha256(a), sha256(b))
}

/** Hex SHA-256 of a UTF-8 string: how codes, refresh tokens and secrets are stored at rest. */
export function sha256Hex(value: string): string {
  return hash('sha256', value, 'hex')
}

/** A short, non-reversible name for a token in logs and rate-limit keys: `sha256:` + 16 hex. */
export function tokenFingerprint(token: string): string {
  return `sha256:${sha256Hex(token).slice(0, 16)}`
}
