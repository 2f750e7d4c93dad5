import { randomToken, sha256Hex } from '../protocol/secrets.js'

/**
 * Client secrets at rest (issue 4): the database keeps `sha256:<hex>` of a secret, never the
 * secret. The HTTP edge hashes the secret a client presents (`client_secret_basic` and
 * `client_secret_post`) before oidc-provider sees it, so the engine's own constant-time compare
 * runs over two hashes. Our secrets are 256-bit random values, so a fast hash is enough: there
 * is nothing to brute-force.
 */
export const CLIENT_SECRET_HASH_PREFIX = 'sha256:'

/** A new client secret: 32 random bytes, base64url. Shown once, never stored. */
export function newClientSecret(): string {
  return randomToken(32)
}

/** What is stored (and what the engine compares against) for a client secret. */
export function hashClientSecret(secret: string): string {
  return `${CLIENT_SECRET_HASH_PREFIX}${sha256Hex(secret)}`
}

/** Whether a stored `client_secret` value is already a hash (never hash twice). */
export function isHashedClientSecret(value: unknown): value is string {
  return typeof value === 'string' && /^sha256:[0-9a-f]{64}$/.test(value)
}
