/**
 * Certificate-bound access tokens at the resource (RFC 8705 §3): the thumbprint of real
 * certificates made by openssl at test time, the pure binding check with its negative cases, and
 * `authenticate` refusing a bound token without the certificate it names (TOK-3).
 */
import { createHash, X509Certificate } from 'node:crypto'
import type { JSONWebKeySet } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { testCertificates, type TestCertificates } from '../protocol/certificate-test-support.js'
import { authenticate } from './authenticate.js'
import { certificateBindingMatches, certificateThumbprint } from './certificate-binding.js'
import { createJwtVerifier } from './jwt-verifier.js'
import { jwksOf, mint, testKey, type TestKey } from './test-support.js'

const ISSUER = 'https://as.example'
const AUDIENCE = 'https://mcp.example/mcp'

let certs: TestCertificates
let mine: Uint8Array
let other: Uint8Array
let key: TestKey
let jwks: JSONWebKeySet

beforeAll(async () => {
  certs = await testCertificates()
  ;[mine, other] = await Promise.all([certs.der('/CN=app'), certs.der('/CN=app')])
  key = await testKey('k1', 'ES256')
  jwks = await jwksOf(key)
})
afterAll(async () => {
  await certs?.remove()
})

describe('certificateThumbprint (RFC 8705 §3.1)', () => {
  it('is base64url (no padding) of the SHA-256 of the DER', () => {
    const thumbprint = certificateThumbprint(mine)
    expect(thumbprint).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(Buffer.from(thumbprint, 'base64url')).toEqual(createHash('sha256').update(mine).digest())
    // Node's own SHA-256 fingerprint of the same certificate, in hex with colons.
    const hex = new X509Certificate(mine).fingerprint256.replaceAll(':', '').toLowerCase()
    expect(Buffer.from(thumbprint, 'base64url').toString('hex')).toBe(hex)
  })
})

describe('certificateBindingMatches', () => {
  it('accepts the certificate the token is bound to', () => {
    expect(certificateBindingMatches({ 'x5t#S256': certificateThumbprint(mine) }, mine)).toBe(true)
  })

  type Presented = 'mine' | 'other' | 'empty' | undefined
  const cases: [string, () => unknown, Presented][] = [
    ['no certificate presented', () => ({ 'x5t#S256': certificateThumbprint(mine) }), undefined],
    ['an empty certificate', () => ({ 'x5t#S256': certificateThumbprint(mine) }), 'empty'],
    [
      'another certificate with the same subject',
      () => ({ 'x5t#S256': certificateThumbprint(mine) }),
      'other',
    ],
    ['a DPoP jkt instead', () => ({ jkt: certificateThumbprint(mine) }), 'mine'],
    [
      'x5t#S256 and jkt together',
      () => ({ 'x5t#S256': certificateThumbprint(mine), jkt: 'x' }),
      'mine',
    ],
    ['an empty cnf', () => ({}), 'mine'],
    ['no cnf', () => undefined, 'mine'],
    ['cnf null', () => null, 'mine'],
    ['cnf a bare thumbprint string', () => certificateThumbprint(mine), 'mine'],
    ['cnf an array', () => [certificateThumbprint(mine)], 'mine'],
    ['x5t#S256 a number', () => ({ 'x5t#S256': 1 }), 'mine'],
    [
      'x5t#S256 padded base64',
      () => ({ 'x5t#S256': `${createHash('sha256').update(mine).digest('base64')}` }),
      'mine',
    ],
    [
      'x5t#S256 as hex',
      () => ({ 'x5t#S256': createHash('sha256').update(mine).digest('hex') }),
      'mine',
    ],
    [
      'x5t (SHA-1) instead of x5t#S256',
      () => ({ x5t: createHash('sha1').update(mine).digest('base64url') }),
      'mine',
    ],
    [
      'a thumbprint of the PEM text, not the DER',
      () => ({
        'x5t#S256': createHash('sha256')
          .update(new X509Certificate(mine).toString())
          .digest('base64url'),
      }),
      'mine',
    ],
  ]
  it.each(cases)('refuses %s', (_name, cnf, presented) => {
    const der =
      presented === undefined
        ? undefined
        : presented === 'empty'
          ? new Uint8Array()
          : presented === 'mine'
            ? mine
            : other
    expect(certificateBindingMatches(cnf(), der)).toBe(false)
  })
})

describe('authenticate with a certificate-bound token (RFC 8705 §3)', () => {
  const challenge = {
    resourceMetadataUrl: 'https://mcp.example/.well-known/oauth-protected-resource/mcp',
  }
  const claims = () => ({
    iss: ISSUER,
    aud: AUDIENCE,
    sub: 'client-1',
    client_id: 'client-1',
    exp: Math.floor(Date.now() / 1000) + 600,
    cnf: { 'x5t#S256': certificateThumbprint(mine) },
  })
  const request = (token: string) =>
    new Request(AUDIENCE, { method: 'POST', headers: { authorization: `Bearer ${token}` } })
  const verifier = () =>
    createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks, acceptCertificateBound: true })

  it('passes with the bound certificate on the connection', async () => {
    const token = await mint(key, claims())
    const outcome = await authenticate(request(token), verifier(), challenge, {
      clientCertificate: mine,
    })
    expect(outcome.ok).toBe(true)
  })

  it.each([
    ['no certificate on the connection', undefined, /without a client certificate/],
    ['another certificate', 'other', /with another client certificate/],
  ] as const)('401 invalid_token with %s', async (_name, presented, detail) => {
    const token = await mint(key, claims())
    const outcome = await authenticate(request(token), verifier(), challenge, {
      clientCertificate: presented === undefined ? undefined : other,
    })
    expect(outcome.ok).toBe(false)
    if (outcome.ok) return
    expect(outcome.reason).toBe('invalid_token')
    expect(outcome.response.status).toBe(401)
    expect(outcome.response.headers.get('www-authenticate')).toContain('error="invalid_token"')
    expect(outcome.detail).toMatch(detail)
    expect(outcome.fingerprint).toMatch(/^sha256:/)
  })

  it('a bound token is refused by a verifier that does not accept them (external IdPs)', async () => {
    const token = await mint(key, claims())
    const plain = createJwtVerifier({ issuer: ISSUER, audience: AUDIENCE, jwks })
    const outcome = await authenticate(request(token), plain, challenge, {
      clientCertificate: mine,
    })
    expect(outcome.ok).toBe(false)
    if (!outcome.ok) expect(outcome.detail).toBe('sender-constrained token (cnf) is not supported')
  })
})
