import { exportSPKI, SignJWT } from 'jose'
import type { JSONWebKeySet } from 'jose'
import { beforeAll, describe, expect, it } from 'vitest'
import { OAuthError, tokenFingerprint } from '../protocol/index.js'
import { createJwtVerifier } from './jwt-verifier.js'
import type { TestKey } from './test-support.js'
import { jwksOf, mint, testKey } from './test-support.js'

const ISSUER = 'https://idp.example/realms/acme'
const AUDIENCE = 'https://mcp.example/mcp'
const now = () => Math.floor(Date.now() / 1000)
const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url')

let key: TestKey
let jwks: JSONWebKeySet
const base = () => ({
  iss: ISSUER,
  aud: [AUDIENCE, 'other'],
  sub: 'user-1',
  client_id: 'client-1',
  scope: 'memories:read tasks:write',
  iat: now(),
  exp: now() + 600,
})

beforeAll(async () => {
  key = await testKey('k1', 'ES256')
  jwks = await jwksOf(key)
})

async function rejection(token: string, options: Record<string, unknown> = {}) {
  const verifier = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, ...options })
  const error = await verifier.verify(token).then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(OAuthError)
  const oauth = error as OAuthError
  expect([oauth.code, oauth.status]).toEqual(['invalid_token', 401])
  expect(oauth.description).toBe('the access token is invalid or expired')
  if (token.length > 0) expect(`${oauth.message} ${oauth.detail}`).not.toContain(token)
  return oauth.detail
}

describe('createJwtVerifier: a valid token passes (TOK-3, TOK-4)', () => {
  it.each([['ES256'], ['RS256'], ['EdDSA']] as const)('%s', async (alg) => {
    const k = await testKey(`kid-${alg}`, alg)
    const verifier = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks: await jwksOf(key, k),
      requireAtJwtType: true,
    })
    const token = await mint(k, base())
    await expect(verifier.verify(token)).resolves.toEqual({
      subject: 'user-1',
      issuer: ISSUER,
      scopes: ['memories:read', 'tasks:write'],
      audience: [AUDIENCE, 'other'],
      expiresAt: expect.any(Number),
      clientId: 'client-1',
      tokenFingerprint: tokenFingerprint(token),
    })
  })

  it.each([
    [{ scope: undefined, scp: ['a', 'b'] }, ['a', 'b']],
    [{ scope: undefined, scp: 'a b' }, ['a', 'b']],
    [{ scope: undefined }, []],
    [{ aud: AUDIENCE }, ['memories:read', 'tasks:write']],
  ])('scopes from %j', async (claims, scopes) => {
    const verifier = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks })
    const verified = await verifier.verify(await mint(key, base(), { claims }))
    expect(verified.scopes).toEqual(scopes)
  })
})

describe('createJwtVerifier: negative matrix → 401 invalid_token (TOK-3, TOK-4, ERR-2)', () => {
  it.each([
    ['expired (TOK-3)', { exp: now() - 120 }, 'ERR_JWT_EXPIRED'],
    ['expired within leeway still fails past it', { exp: now() - 31 }, 'ERR_JWT_EXPIRED'],
    ['not yet valid: nbf (TOK-3)', { nbf: now() + 120 }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['iat in the future (TOK-3)', { iat: now() + 120 }, 'iat in the future'],
    ['wrong issuer (TOK-3)', { iss: 'https://evil.example' }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['issuer with trailing slash', { iss: `${ISSUER}/` }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    [
      'wrong audience (TOK-4)',
      { aud: 'https://other.example/mcp' },
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    ],
    ['missing aud (TOK-4)', { aud: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['without exp (TOK-3)', { exp: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['without sub', { sub: undefined }, 'ERR_JWT_CLAIM_VALIDATION_FAILED'],
    ['malformed scope claim', { scope: 42 }, 'malformed scope claim'],
  ])('%s', async (_name, claims, detail) => {
    expect(await rejection(await mint(key, base(), { claims }))).toBe(detail)
  })

  it('accepts a token expired within the 30 s leeway', async () => {
    const verifier = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks })
    await expect(
      verifier.verify(await mint(key, base(), { claims: { exp: now() - 5 } })),
    ).resolves.toBeDefined()
  })

  it('wrong typ when at+jwt is required (RFC 9068 §2.1, TOK-3)', async () => {
    const token = await mint(key, base(), { typ: 'JWT' })
    expect(await rejection(token, { requireAtJwtType: true })).toBe(
      'ERR_JWT_CLAIM_VALIDATION_FAILED',
    )
  })

  it('alg: none, crafted by hand (TOK-3)', async () => {
    const token = `${b64({ alg: 'none', typ: 'at+jwt' })}.${b64(base())}.`
    expect(await rejection(token)).toMatch(/^ERR_J/)
  })

  it('HS256 signed with the public key bytes: algorithm confusion (TOK-3)', async () => {
    const pem = new TextEncoder().encode(await exportSPKI(key.publicKey))
    const token = await new SignJWT(base())
      .setProtectedHeader({ alg: 'HS256', kid: 'k1', typ: 'at+jwt' })
      .sign(pem)
    expect(await rejection(token)).toBe('ERR_JOSE_ALG_NOT_ALLOWED')
  })

  it('a signature by another key under the same kid', async () => {
    const forger = await testKey('k1', 'ES256')
    expect(await rejection(await mint(forger, base()))).toBe(
      'ERR_JWS_SIGNATURE_VERIFICATION_FAILED',
    )
  })

  it('unknown kid against a local key set', async () => {
    expect(await rejection(await mint(key, base(), { kid: 'nope' }))).toBe(
      'ERR_JWKS_NO_MATCHING_KEY',
    )
  })

  it.each([[''], ['garbage'], ['a.b.c']])('malformed token %j', async (token) => {
    expect(await rejection(token)).toMatch(/^ERR_J/)
  })
})
