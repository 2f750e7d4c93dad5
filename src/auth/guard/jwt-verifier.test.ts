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
  const CLAIM = 'ERR_JWT_CLAIM_VALIDATION_FAILED'
  it.each([
    ['expired (TOK-3)', { exp: now() - 120 }, 'ERR_JWT_EXPIRED: claim exp: check_failed'],
    [
      'expired within leeway still fails past it',
      { exp: now() - 31 },
      'ERR_JWT_EXPIRED: claim exp: check_failed',
    ],
    ['not yet valid: nbf (TOK-3)', { nbf: now() + 120 }, `${CLAIM}: claim nbf: check_failed`],
    ['exp not a number', { exp: 'tomorrow' }, `${CLAIM}: claim exp: invalid`],
    ['iat in the future (TOK-3)', { iat: now() + 120 }, 'iat in the future'],
    [
      'wrong issuer (TOK-3)',
      { iss: 'https://evil.example' },
      `${CLAIM}: claim iss: check_failed (the token names "https://evil.example")`,
    ],
    [
      'issuer with trailing slash',
      { iss: `${ISSUER}/` },
      `${CLAIM}: claim iss: check_failed (the token names "${ISSUER}/")`,
    ],
    [
      'wrong audience (TOK-4)',
      { aud: 'https://other.example/mcp' },
      `${CLAIM}: claim aud: check_failed (the token names "https://other.example/mcp")`,
    ],
    [
      'wrong audiences (TOK-4)',
      { aud: ['https://a.example/mcp', 'https://b.example/mcp'] },
      `${CLAIM}: claim aud: check_failed (the token names ["https://a.example/mcp","https://b.example/mcp"])`,
    ],
    ['missing aud (TOK-4)', { aud: undefined }, `${CLAIM}: claim aud: missing`],
    ['missing iss (TOK-3)', { iss: undefined }, `${CLAIM}: claim iss: missing`],
    ['without exp (TOK-3)', { exp: undefined }, `${CLAIM}: claim exp: missing`],
    ['without sub', { sub: undefined }, `${CLAIM}: claim sub: missing`],
    ['malformed scope claim', { scope: 42 }, 'malformed scope claim'],
  ])('%s', async (_name, claims, detail) => {
    expect(await rejection(await mint(key, base(), { claims }))).toBe(detail)
  })

  it('the detail never quotes claims other than iss and aud (TOK-7)', async () => {
    const secretish = 'user-4711@private.example'
    const claims = { sub: secretish, aud: 'https://other.example/mcp', email: secretish }
    const detail = await rejection(await mint(key, base(), { claims }))
    expect(detail).toMatch(/claim aud: check_failed/)
    expect(detail).not.toContain(secretish)
  })

  it('an absurd iss or aud is quoted shortened, escaped, on one line', async () => {
    const aud = [
      ...Array.from({ length: 9 }, (_, i) => `https://${i}.example/mcp`),
      'x'.repeat(500),
    ]
    const wrongAud = (await rejection(await mint(key, base(), { claims: { aud } }))) ?? ''
    expect(wrongAud).toContain('"https://4.example/mcp",…')
    expect(wrongAud).not.toContain('https://5.example/mcp')
    const iss = `https://evil.example/\n${'y'.repeat(500)}\u0000`
    const wrongIss = (await rejection(await mint(key, base(), { claims: { iss } }))) ?? ''
    expect(wrongIss.length).toBeLessThan(200)
    expect(wrongIss).toMatch(/^[\x20-\x7E…]+$/)
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
      'ERR_JWT_CLAIM_VALIDATION_FAILED: claim typ: check_failed',
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

describe('createJwtVerifier: sender-constrained tokens are refused (RFC 9449 §6.1, RFC 8705 §3.1)', () => {
  // No DPoP proof and no client certificate is checked here, so a bound token must not be
  // accepted as a plain bearer token: whoever stole it could use it.
  it.each([
    ['DPoP-bound (cnf.jkt)', { cnf: { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' } }],
    [
      'certificate-bound (cnf.x5t#S256)',
      { cnf: { 'x5t#S256': 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2' } },
    ],
    ['any cnf at all', { cnf: {} }],
  ])('%s', async (_name, claims) => {
    expect(await rejection(await mint(key, base(), { claims }))).toBe(
      'sender-constrained token (cnf) is not supported',
    )
  })
})

describe('createJwtVerifier with acceptCertificateBound (the built-in authorization server)', () => {
  const thumbprint = 'bwcK0esc3ACC3DB2Y5_lESsXE8o9ltc05O89jdN-dg2'

  it('returns the cnf of a certificate-bound token for the per-request check', async () => {
    const verifier = createJwtVerifier({
      issuer: ISSUER,
      audience: AUDIENCE,
      jwks,
      acceptCertificateBound: true,
    })
    const token = await mint(key, base(), { claims: { cnf: { 'x5t#S256': thumbprint } } })
    await expect(verifier.verify(token)).resolves.toMatchObject({
      cnf: { 'x5t#S256': thumbprint },
    })
    const unbound = await verifier.verify(await mint(key, base()))
    expect(unbound.cnf).toBeUndefined()
  })

  it.each([
    ['DPoP-bound (cnf.jkt)', { jkt: '0ZcOCORZNYy-DWpqq30jZyJGHTN0d2HglBV3uiguA4I' }],
    ['x5t#S256 and jkt together', { 'x5t#S256': thumbprint, jkt: 'x' }],
    ['empty cnf', {}],
    ['x5t#S256 not a string', { 'x5t#S256': 42 }],
    ['cnf an array', [thumbprint]],
    ['cnf a string', thumbprint],
  ])('still refuses %s', async (_name, cnf) => {
    const detail = await rejection(await mint(key, base(), { claims: { cnf } }), {
      acceptCertificateBound: true,
    })
    expect(detail).toMatch(/^cnf is not a certificate binding/)
  })
})
