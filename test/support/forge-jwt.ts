import { createHmac, createPrivateKey, createPublicKey, randomUUID, sign } from 'node:crypto'
import type { JsonWebKey } from 'node:crypto'
import { exportJWK, generateKeyPair, importJWK, SignJWT } from 'jose'
import type { JWK, JWTHeaderParameters, JWTPayload } from 'jose'

/**
 * Hand-built JWTs for negative cases: re-signed with a real private key, unsigned (`alg: none`),
 * or HMAC'd with public key bytes (the RS/ES → HS algorithm confusion attack).
 */

/** A private JWK with the `kid` and `alg` it signs under. */
export interface ForgingKey extends JWK {
  kid: string
  alg: string
}

const segment = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

/** Signs `payload` with a private JWK; the header defaults to `{ alg, kid, typ: 'at+jwt' }`. */
export async function signWith(
  key: ForgingKey,
  payload: JWTPayload,
  header: Partial<JWTHeaderParameters> = {},
): Promise<string> {
  const privateKey = await importJWK(key, key.alg)
  return new SignJWT(payload)
    .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })
    .sign(privateKey)
}

/**
 * Signs arbitrary segments (already base64url or deliberately not) with an ES256 or RS256 private
 * JWK, so that a malformed payload gets past the signature check and reaches the parser.
 */
export function signRaw(key: ForgingKey, header: Record<string, unknown>, payload: string): string {
  const input = `${segment({ alg: key.alg, kid: key.kid, typ: 'at+jwt', ...header })}.${payload}`
  const jwk: JWK = key
  const privateKey = createPrivateKey({ key: jwk as JsonWebKey, format: 'jwk' })
  const signature = sign('sha256', Buffer.from(input), {
    key: privateKey,
    dsaEncoding: 'ieee-p1363',
  })
  return `${input}.${signature.toString('base64url')}`
}

/** The public members of a JWK (drops `d`, `p`, `q`, `dp`, `dq`, `qi`, `k`). */
export function publicJwk(jwk: JWK): JWK {
  const { d: _d, p: _p, q: _q, dp: _dp, dq: _dq, qi: _qi, k: _k, ...rest } = jwk
  return rest
}

/** A fresh ES256 key that no IdP publishes. */
export async function unpublishedKey(): Promise<ForgingKey> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  return { ...(await exportJWK(privateKey)), kid: `unpublished-${randomUUID()}`, alg: 'ES256' }
}

/** An unsigned JWT: `alg: none` and an empty signature. */
export function unsignedJwt(payload: JWTPayload, header: Record<string, unknown> = {}): string {
  return `${segment({ alg: 'none', typ: 'at+jwt', ...header })}.${segment(payload)}.`
}

/** HS256 over `header.payload` with `secret` (e.g. the bytes of the IdP's public key). */
export function hmacJwt(
  secret: string,
  payload: JWTPayload,
  header: Record<string, unknown> = {},
): string {
  const input = `${segment({ alg: 'HS256', typ: 'at+jwt', ...header })}.${segment(payload)}`
  return `${input}.${createHmac('sha256', secret).update(input).digest('base64url')}`
}

/** The SPKI PEM of a public JWK: what a confused verifier might load as an HMAC secret. */
export function publicKeyPem(jwk: JWK): string {
  const key = createPublicKey({ key: publicJwk(jwk) as JsonWebKey, format: 'jwk' })
  return key.export({ type: 'spki', format: 'pem' }).toString()
}
