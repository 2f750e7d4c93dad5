import { randomBytes } from 'node:crypto'
import { decodeJwt } from 'jose'
import type { JWK, JWTPayload } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createIntrospectionVerifier, createJwtVerifier } from '../../src/auth/guard/index.js'
import type { IntrospectionVerifierOptions, TokenVerifier } from '../../src/auth/guard/index.js'
import { OAuthError } from '../../src/auth/protocol/index.js'
import {
  hmacJwt,
  publicJwk,
  publicKeyPem,
  signRaw,
  signWith,
  unpublishedKey,
  unsignedJwt,
} from '../support/forge-jwt.js'
import { JWT_CLIENT_ID, OPAQUE_CLIENT_ID, startTestIdp } from '../support/oidc-idp.js'
import type { TestIdp } from '../support/oidc-idp.js'

/**
 * The resource server guard against a real external IdP (oidc-provider on loopback): the
 * negative token matrix of TOK-3/TOK-4 with ERR-2 outcomes and TOK-7 hygiene (the token text
 * never appears in an error), for JWT access tokens (JWKS) and opaque ones (introspection).
 */

const RESOURCE = 'https://mcp.example.test/mcp'
const OTHER_RESOURCE = 'https://other.example.test/mcp'

let idp: TestIdp
let verifier: TokenVerifier
/** A real user token for RESOURCE, and its claims. */
let valid: string
let claims: JWTPayload
/** The IdP's ES256 public key exactly as its JWKS publishes it. */
let publishedEs256: JWK

const now = () => Math.floor(Date.now() / 1000)

/** TOK-7: neither the token nor any sizeable part of it may leak into the error. */
function expectNoTokenText(error: OAuthError, token: string) {
  const fragments = [token, ...token.split('.')].filter((part) => part.length >= 8)
  const texts = [
    error.message,
    error.description,
    error.detail ?? '',
    JSON.stringify(error.toResponseObject()),
    String(error.stack),
  ]
  for (const text of texts) {
    for (const fragment of fragments) expect(text).not.toContain(fragment)
  }
}

/** Expects `verify` to reject with an OAuthError that holds no part of the token (TOK-7). */
async function refusal(using: TokenVerifier, token: string): Promise<OAuthError> {
  const error = await using.verify(token).then(
    () => expect.fail('the token was accepted'),
    (rejection: unknown) => rejection,
  )
  expect(error).toBeInstanceOf(OAuthError)
  expectNoTokenText(error as OAuthError, token)
  return error as OAuthError
}

/**
 * ERR-2: `invalid_token` (HTTP 401). `reason` is the private detail (the JOSE error code, and for
 * a claim check which claim and why) proving that the intended check refused the token, not an
 * earlier one.
 */
async function expectInvalidToken(token: string, reason: string, using = verifier) {
  const { code, status, detail } = await refusal(using, token)
  expect({ code, status, detail }).toEqual({ code: 'invalid_token', status: 401, detail: reason })
}

const CLAIM = 'ERR_JWT_CLAIM_VALIDATION_FAILED'
const SIGNATURE = 'ERR_JWS_SIGNATURE_VERIFICATION_FAILED'
const ALG = 'ERR_JOSE_ALG_NOT_ALLOWED'
const JWS = 'ERR_JWS_INVALID'

beforeAll(async () => {
  idp = await startTestIdp()
  verifier = createJwtVerifier({
    issuer: idp.issuer,
    audience: RESOURCE,
    jwks: new URL(idp.jwksUri),
  })
  const scopes = ['memories:read', 'tasks:write']
  valid = await idp.tokenFor({ subject: 'alice', scopes, resource: RESOURCE })
  claims = decodeJwt(valid)
  const jwks = (await (await fetch(idp.jwksUri)).json()) as { keys: JWK[] }
  const published = jwks.keys.find((key) => key.kid === idp.signingKeys.ES256.kid)
  if (published === undefined) throw new Error('the IdP does not publish its ES256 key')
  publishedEs256 = published
})

afterAll(async () => {
  await idp?.close()
})

describe('JWT access tokens from a real external IdP (createJwtVerifier)', () => {
  it('TOK-3 / TOK-4: a real user token for this resource verifies', async () => {
    const verified = await verifier.verify(valid)
    expect(verified).toEqual({
      subject: 'alice',
      issuer: idp.issuer,
      scopes: ['memories:read', 'tasks:write'],
      audience: [RESOURCE],
      expiresAt: claims.exp,
      clientId: JWT_CLIENT_ID,
      tokenFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
    })
  })

  it('the token carries the logged-in user, not the client: one flow per subject', async () => {
    const token = await idp.tokenFor({ subject: 'bob', scopes: ['tasks:read'], resource: RESOURCE })
    const verified = await verifier.verify(token)
    expect(verified.subject).toBe('bob')
    expect(verified.scopes).toEqual(['tasks:read'])
  })

  it('TOK-3: the IdP sets typ at+jwt, so requireAtJwtType accepts it and refuses typ JWT', async () => {
    const strict = createJwtVerifier({
      issuer: idp.issuer,
      audience: RESOURCE,
      jwks: new URL(idp.jwksUri),
      requireAtJwtType: true,
    })
    await expect(strict.verify(valid)).resolves.toMatchObject({ subject: 'alice' })
    const typJwt = await signWith(idp.signingKeys.ES256, claims, { typ: 'JWT' })
    await expect(verifier.verify(typJwt)).resolves.toMatchObject({ subject: 'alice' })
    await expectInvalidToken(typJwt, `${CLAIM}: claim typ: check_failed`, strict)
  })

  it('control: the unchanged claims re-signed with either IdP key verify', async () => {
    // Each forged case below changes exactly one thing against this baseline.
    for (const key of [idp.signingKeys.ES256, idp.signingKeys.RS256]) {
      const resigned = await signWith(key, claims)
      await expect(verifier.verify(resigned)).resolves.toMatchObject({ subject: 'alice' })
    }
    const raw = signRaw(idp.signingKeys.ES256, {}, valid.split('.')[1] ?? '')
    await expect(verifier.verify(raw)).resolves.toMatchObject({ subject: 'alice' })
  })

  it('TOK-4 / TOK-5 / ERR-2: a real token the IdP issued for another resource', async () => {
    const scopes = ['memories:read']
    const other = await idp.tokenFor({ subject: 'alice', scopes, resource: OTHER_RESOURCE })
    expect(decodeJwt(other)).toMatchObject({ aud: OTHER_RESOURCE, iss: idp.issuer })
    await expectInvalidToken(
      other,
      `${CLAIM}: claim aud: check_failed (the token names "${OTHER_RESOURCE}")`,
    )
  })

  it('TOK-3 / ERR-2: wrong issuer, signed with the IdP key', async () => {
    const key = idp.signingKeys.ES256
    const named = (iss: string) => `${CLAIM}: claim iss: check_failed (the token names "${iss}")`
    const other = 'http://127.0.0.1:1'
    await expectInvalidToken(await signWith(key, { ...claims, iss: other }), named(other))
    const slash = `${idp.issuer}/`
    await expectInvalidToken(await signWith(key, { ...claims, iss: slash }), named(slash))
    const missing = `${CLAIM}: claim iss: missing`
    await expectInvalidToken(await signWith(key, { ...claims, iss: undefined }), missing)
  })

  it('TOK-3 / ERR-2: expired beyond the leeway, signed with the IdP key', async () => {
    const expired = { ...claims, iat: now() - 600, exp: now() - 120 }
    const reason = 'ERR_JWT_EXPIRED: claim exp: check_failed'
    await expectInvalidToken(await signWith(idp.signingKeys.ES256, expired), reason)
  })

  it('TOK-3 / ERR-2: not yet valid (nbf in the future), signed with the IdP key', async () => {
    const early = { ...claims, nbf: now() + 300 }
    const reason = `${CLAIM}: claim nbf: check_failed`
    await expectInvalidToken(await signWith(idp.signingKeys.ES256, early), reason)
  })

  it('TOK-3 / ERR-2: no exp or no sub, signed with the IdP key', async () => {
    const key = idp.signingKeys.ES256
    const missing = (claim: string) => `${CLAIM}: claim ${claim}: missing`
    await expectInvalidToken(await signWith(key, { ...claims, exp: undefined }), missing('exp'))
    await expectInvalidToken(await signWith(key, { ...claims, sub: undefined }), missing('sub'))
  })

  it('TOK-3 / ERR-2: alg none (unsigned)', async () => {
    await expectInvalidToken(unsignedJwt(claims), ALG)
    await expectInvalidToken(unsignedJwt(claims, { kid: idp.signingKeys.ES256.kid }), ALG)
  })

  it('TOK-3 / ERR-2: HS256 keyed with the IdP public key (algorithm confusion)', async () => {
    const es = { kid: idp.signingKeys.ES256.kid }
    await expectInvalidToken(hmacJwt(JSON.stringify(publishedEs256), claims, es), ALG)
    await expectInvalidToken(hmacJwt(publicKeyPem(publishedEs256), claims, es), ALG)
    const rsa = idp.signingKeys.RS256
    const rs = { kid: rsa.kid }
    await expectInvalidToken(hmacJwt(JSON.stringify(publicJwk(rsa)), claims, rs), ALG)
    await expectInvalidToken(hmacJwt(publicKeyPem(rsa), claims, rs), ALG)
  })

  it('TOK-3 / ERR-2: signed by a key the IdP does not publish (unknown kid)', async () => {
    const forged = await signWith(await unpublishedKey(), claims)
    await expectInvalidToken(forged, 'ERR_JWKS_NO_MATCHING_KEY')
  })

  it("TOK-3 / ERR-2: signed by a key the IdP does not publish, under the IdP's kid", async () => {
    const impostor = { ...(await unpublishedKey()), kid: idp.signingKeys.ES256.kid }
    await expectInvalidToken(await signWith(impostor, claims), SIGNATURE)
  })

  it('ERR-2: an opaque token from the same IdP is not a JWT', async () => {
    const opaque = await idp.tokenFor({
      subject: 'alice',
      scopes: ['memories:read'],
      resource: RESOURCE,
      format: 'opaque',
    })
    expect(opaque.split('.')).toHaveLength(1)
    await expectInvalidToken(opaque, JWS)
  })

  const b64 = (text: string) => Buffer.from(text).toString('base64url')
  const part = (i: number) => valid.split('.')[i] ?? ''
  const withPayload = (payload: string) => `${part(0)}.${payload}.${part(2)}`

  it.each([
    ['empty', () => '', JWS],
    ['one part', () => 'not-a-jwt-at-all-but-long', JWS],
    ['two parts', () => `${part(0)}.${part(1)}`, JWS],
    ['four parts', () => `${valid}.${part(2)}`, JWS],
    ['bad base64 in every part', () => '!!!!!!!!.@@@@@@@@.########', JWS],
    ['header not JSON', () => `${b64('not json at all')}.${part(1)}.${part(2)}`, JWS],
    ['bad base64 payload', () => withPayload('%%%%%%%%%%%%'), SIGNATURE],
    [
      'tampered payload',
      () => withPayload(b64(JSON.stringify({ ...claims, sub: 'mallory' }))),
      SIGNATURE,
    ],
    ['huge (1 MiB)', () => withPayload('A'.repeat(1024 * 1024)), SIGNATURE],
    // Validly signed by the IdP key, so the parser is what refuses them.
    ['signed, payload bad base64', () => signRaw(idp.signingKeys.ES256, {}, '%%%%%%%%%%%%'), JWS],
    [
      'signed, payload not JSON',
      () => signRaw(idp.signingKeys.ES256, {}, b64('not json')),
      'ERR_JWT_INVALID',
    ],
    [
      'signed, payload a JSON array',
      () => signRaw(idp.signingKeys.ES256, {}, b64('[1,2]')),
      'ERR_JWT_INVALID',
    ],
  ])('ERR-2 / TOK-7: malformed (%s), not echoed', async (_name, token, reason) => {
    await expectInvalidToken(token(), reason)
  })
})

describe('opaque access tokens through the real IdP introspection endpoint', () => {
  /** A clock the test moves forward, to step past the answer cache without sleeping. */
  function manualClock() {
    let offsetMs = 0
    return { now: () => Date.now() + offsetMs, advance: (ms: number) => (offsetMs += ms) }
  }

  function introspection(options: Partial<IntrospectionVerifierOptions> = {}) {
    const { clientId, clientSecret } = idp.introspectionClient
    return createIntrospectionVerifier({
      endpoint: new URL(idp.introspectionEndpoint),
      issuer: idp.issuer,
      audience: RESOURCE,
      clientId,
      clientSecret: { reveal: () => clientSecret },
      cacheTtlSeconds: 1,
      ...options,
    })
  }

  const opaqueToken = (subject: string, scopes: string[], resource = RESOURCE) =>
    idp.tokenFor({ subject, scopes, resource, format: 'opaque' })

  it('TOK-3 / TOK-4: an active user token for this resource verifies', async () => {
    const token = await opaqueToken('carol', ['memories:read', 'memories:write'])
    await expect(introspection().verify(token)).resolves.toEqual({
      subject: 'carol',
      issuer: idp.issuer,
      scopes: ['memories:read', 'memories:write'],
      audience: [RESOURCE],
      expiresAt: expect.any(Number),
      clientId: OPAQUE_CLIENT_ID,
      tokenFingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
    })
  })

  it('TOK-4 / TOK-5 / ERR-2: an active token the IdP issued for another resource', async () => {
    const other = await opaqueToken('carol', ['memories:read'], OTHER_RESOURCE)
    const error = await refusal(introspection(), other)
    expect({ code: error.code, status: error.status }).toEqual({
      code: 'invalid_token',
      status: 401,
    })
  })

  it('ERR-2: an opaque token the IdP never issued', async () => {
    const error = await refusal(introspection(), randomBytes(32).toString('base64url'))
    expect(error.code).toBe('invalid_token')
  })

  it('TOK-3 / ERR-2: a revoked token is refused once the cache period is over', async () => {
    const clock = manualClock()
    const cached = introspection({ cacheTtlSeconds: 5, clock: clock.now })
    const uncached = introspection({ cacheTtlSeconds: 0 })
    const token = await opaqueToken('dave', ['tasks:read'])
    await expect(cached.verify(token)).resolves.toMatchObject({ subject: 'dave' })

    await idp.revoke(token)
    // DESIGN §5: revocation is seen within one cache period, not necessarily at once.
    await expect(cached.verify(token)).resolves.toMatchObject({ subject: 'dave' })
    expect((await refusal(uncached, token)).code).toBe('invalid_token')
    clock.advance(5_001)
    expect((await refusal(cached, token)).code).toBe('invalid_token')
  })

  it('a wrong client secret is temporarily_unavailable (503), never invalid_token', async () => {
    const token = await opaqueToken('erin', ['tasks:read'])
    const wrongSecret = `not-${idp.introspectionClient.clientSecret}`
    const error = await refusal(
      introspection({ clientSecret: { reveal: () => wrongSecret } }),
      token,
    )
    expect({ code: error.code, status: error.status }).toEqual({
      code: 'temporarily_unavailable',
      status: 503,
    })
    for (const text of [error.message, error.description, error.detail ?? '']) {
      expect(text).not.toContain(wrongSecret)
    }
  })

  it('ERR-2 / TOK-7: a JWT sent to introspection is refused and not echoed', async () => {
    // oidc-provider answers HTTP 400 unsupported_token_type for any JWT instead of RFC 7662's
    // `active: false`; the verifier reads that as a refusal of the token (401), not an outage.
    const { code } = await refusal(introspection(), valid)
    expect(code).toBe('invalid_token')
  })
})
