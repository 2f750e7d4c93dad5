/**
 * PKCE with S256 only (PKCE-1, PKCE-2) and the random `state` (STATE-1). Randomness comes from
 * auth/protocol's `randomToken`, the one module that makes secrets.
 * @see RFC 7636 §4.1, §4.2
 */
import { createHash } from 'node:crypto'
import { randomToken } from '../protocol/index.js'

/** RFC 7636 §4.1: `code-verifier = 43*128unreserved`. */
const VERIFIER = /^[A-Za-z0-9\-._~]{43,128}$/

export interface Pkce {
  /** Kept by the client until the token request; never sent before it. */
  readonly verifier: string
  /** `BASE64URL(SHA256(verifier))`, sent on the authorization request. */
  readonly challenge: string
  readonly method: 'S256'
}

/** The S256 challenge of a verifier; a verifier outside RFC 7636 §4.1 is a TypeError. */
export function pkceChallenge(verifier: string): string {
  if (typeof verifier !== 'string' || !VERIFIER.test(verifier)) {
    throw new TypeError('a PKCE code verifier is 43 to 128 unreserved characters (RFC 7636 §4.1)')
  }
  return createHash('sha256').update(verifier, 'ascii').digest('base64url')
}

/**
 * A fresh verifier (base64url of `bytes` random bytes: 32 bytes give the minimum 43 characters,
 * 96 the maximum 128) and its S256 challenge.
 */
export function createPkce(bytes = 32): Pkce {
  if (!Number.isInteger(bytes) || bytes < 32 || bytes > 96) {
    throw new TypeError('a PKCE verifier needs between 32 and 96 random bytes')
  }
  const verifier = randomToken(bytes)
  return { verifier, challenge: pkceChallenge(verifier), method: 'S256' }
}

/** A fresh `state`: 256 random bits, base64url (RFC 6749 §10.12). */
export function createState(): string {
  return randomToken(32)
}
