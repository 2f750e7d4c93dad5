/**
 * `private_key_jwt` client authentication (RFC 7523 §2.2, §3; RFC 7521 §4.2): a short-lived JWT
 * signed with the client's private key, sent as `client_assertion` with
 * `client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer`. Claims:
 * `iss` = `sub` = client_id, `aud` = the authorization server's issuer, a fresh `jti`, `iat`
 * and an `exp` one minute later. The key and the assertion never appear in a message.
 * @see RFC 7523 §3
 * @see OpenID Connect Core 1.0 §9 (private_key_jwt)
 */
import { randomUUID } from 'node:crypto'
import { importPKCS8, SignJWT } from 'jose'
import { ASYMMETRIC_JWS_ALGORITHMS } from '../protocol/index.js'
import { AuthorizationError } from './authorize-errors.js'

export const CLIENT_ASSERTION_TYPE = 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer'

/** Asymmetric JWS algorithms accepted for client assertions (no `none`, no HMAC). */
export const CLIENT_ASSERTION_ALGORITHMS = ASYMMETRIC_JWS_ALGORITHMS

export type ClientAssertionAlgorithm = (typeof CLIENT_ASSERTION_ALGORITHMS)[number]

/** Lifetime of an assertion: it is used once, right away. */
export const CLIENT_ASSERTION_LIFETIME_SECONDS = 60

export interface ClientAssertionKey {
  /** PKCS#8 PEM (`-----BEGIN PRIVATE KEY-----`). */
  readonly privateKeyPem: string
  readonly algorithm: string
  /** `kid` of the JWS header, when the AS knows the key by one. */
  readonly keyId?: string
}

export function isClientAssertionAlgorithm(value: string): value is ClientAssertionAlgorithm {
  return (CLIENT_ASSERTION_ALGORITHMS as readonly string[]).includes(value)
}

/** Signs a client assertion for `clientId` at the AS `audience` (its issuer). */
export async function signClientAssertion(
  key: ClientAssertionKey,
  clientId: string,
  audience: string,
  now: number = Date.now() / 1000,
): Promise<string> {
  if (!isClientAssertionAlgorithm(key.algorithm)) {
    throw new AuthorizationError(
      'token_request_failed',
      `the client assertion algorithm ${JSON.stringify(key.algorithm.slice(0, 20))} is not supported; use one of ${CLIENT_ASSERTION_ALGORITHMS.join(', ')}`,
    )
  }
  let privateKey: Awaited<ReturnType<typeof importPKCS8>>
  try {
    privateKey = await importPKCS8(key.privateKeyPem, key.algorithm)
  } catch (error) {
    throw new AuthorizationError(
      'token_request_failed',
      `the private key is not a PKCS#8 PEM key usable with ${key.algorithm}`,
      { cause: error instanceof Error ? new Error(error.name) : undefined },
    )
  }
  const iat = Math.floor(now)
  return new SignJWT({})
    .setProtectedHeader({
      alg: key.algorithm,
      typ: 'JWT',
      ...(key.keyId === undefined ? {} : { kid: key.keyId }),
    })
    .setIssuer(clientId)
    .setSubject(clientId)
    .setAudience(audience)
    .setJti(randomUUID())
    .setIssuedAt(iat)
    .setExpirationTime(iat + CLIENT_ASSERTION_LIFETIME_SECONDS)
    .sign(privateKey)
}
