import { createHash } from 'node:crypto'
import { constantTimeEqual } from '../protocol/index.js'

/** base64url of a SHA-256 digest: 43 characters, no padding. */
const THUMBPRINT = /^[A-Za-z0-9_-]{43}$/

/**
 * The X.509 certificate SHA-256 thumbprint of RFC 8705 §3.1: base64url (no padding) of the
 * SHA-256 of the certificate's DER encoding. The `x5t#S256` a certificate-bound token carries.
 */
export function certificateThumbprint(der: Uint8Array): string {
  return createHash('sha256').update(der).digest('base64url')
}

/**
 * Whether a token's `cnf` binds it to the certificate the client presented on this connection
 * (RFC 8705 §3): `cnf` is a JSON object with exactly one member, `x5t#S256`, a well-formed
 * thumbprint equal (constant time) to that of `presentedDer`. False for everything else: no
 * certificate presented, another certificate, a malformed `cnf`, a DPoP `jkt` (RFC 9449 §6; no
 * DPoP proof is checked here) or any other or extra confirmation member.
 */
export function certificateBindingMatches(
  cnf: unknown,
  presentedDer: Uint8Array | undefined,
): boolean {
  if (presentedDer === undefined || presentedDer.length === 0) return false
  if (typeof cnf !== 'object' || cnf === null || Array.isArray(cnf)) return false
  const members = Object.keys(cnf)
  if (members.length !== 1 || members[0] !== 'x5t#S256') return false
  const bound = (cnf as Record<string, unknown>)['x5t#S256']
  if (typeof bound !== 'string' || !THUMBPRINT.test(bound)) return false
  return constantTimeEqual(bound, certificateThumbprint(presentedDer))
}
