import { generateKeyPairSync } from 'node:crypto'
import { createPublicKey } from 'node:crypto'
import { decodeProtectedHeader, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { AuthorizationError } from './authorize-errors.js'
import {
  CLIENT_ASSERTION_LIFETIME_SECONDS,
  isClientAssertionAlgorithm,
  signClientAssertion,
} from './client-assertion.js'

const NOW = 1_800_000_000
const ISSUER = 'https://as.example.com/tenant'

function pem(type: 'ec' | 'rsa') {
  const { privateKey } =
    type === 'ec'
      ? generateKeyPairSync('ec', { namedCurve: 'P-256' })
      : generateKeyPairSync('rsa', { modulusLength: 2048 })
  const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
  return { privateKeyPem, publicKey: createPublicKey(privateKey) }
}

describe('signClientAssertion (RFC 7523 §3)', () => {
  it.each([
    ['ec', 'ES256'],
    ['rsa', 'RS256'],
  ] as const)(
    'signs %s keys with %s: iss = sub = client_id, aud = issuer, jti, iat, short exp',
    async (type, alg) => {
      const { privateKeyPem, publicKey } = pem(type)
      const jwt = await signClientAssertion(
        { privateKeyPem, algorithm: alg, keyId: 'k1' },
        'client-1',
        ISSUER,
        NOW + 0.4,
      )
      const { payload, protectedHeader } = await jwtVerify(jwt, publicKey, {
        audience: ISSUER,
        issuer: 'client-1',
        subject: 'client-1',
        currentDate: new Date(NOW * 1000),
      })
      expect(protectedHeader).toEqual({ alg, typ: 'JWT', kid: 'k1' })
      expect(payload.iat).toBe(NOW)
      expect(payload.exp).toBe(NOW + CLIENT_ASSERTION_LIFETIME_SECONDS)
      expect(payload.jti).toMatch(/^[0-9a-f-]{36}$/)
    },
  )

  it('uses a fresh jti every time and no kid unless given', async () => {
    const { privateKeyPem } = pem('ec')
    const key = { privateKeyPem, algorithm: 'ES256' }
    const [a, b] = await Promise.all([
      signClientAssertion(key, 'c', ISSUER),
      signClientAssertion(key, 'c', ISSUER),
    ])
    expect(decodeProtectedHeader(a)).toEqual({ alg: 'ES256', typ: 'JWT' })
    const jti = (jwt: string) =>
      JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString()).jti
    expect(jti(a)).not.toBe(jti(b))
  })

  it('refuses none, HMAC and unknown algorithms', async () => {
    expect(isClientAssertionAlgorithm('HS256')).toBe(false)
    expect(isClientAssertionAlgorithm('none')).toBe(false)
    const { privateKeyPem } = pem('ec')
    await expect(
      signClientAssertion({ privateKeyPem, algorithm: 'HS256' }, 'c', ISSUER),
    ).rejects.toThrow(/algorithm "HS256" is not supported/)
  })

  it('says the key is unusable without quoting it', async () => {
    const { privateKeyPem } = pem('rsa')
    const error = await signClientAssertion(
      { privateKeyPem, algorithm: 'ES256' },
      'c',
      ISSUER,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthorizationError)
    expect((error as Error).message).toMatch(/not a PKCS#8 PEM key usable with ES256/)
    expect((error as Error).message).not.toContain('PRIVATE KEY')
    const garbage = await signClientAssertion(
      { privateKeyPem: 'not a key', algorithm: 'ES256' },
      'c',
      ISSUER,
    ).catch((e: unknown) => e)
    expect((garbage as Error).message).not.toContain('not a key')
  })
})
