import { afterAll, afterEach, describe, expect, it } from 'vitest'
import { OAuthError, randomToken, tokenFingerprint } from '../protocol/index.js'
import { createIntrospectionVerifier } from './introspection-verifier.js'
import type { IntrospectionVerifierOptions } from './introspection-options.js'
import type { PeerRequest } from './test-support.js'
import { introspectionEndpoint, leakWatch } from './test-support.js'

const ISSUER = 'https://idp.example/realms/acme'
const AUDIENCE = 'https://mcp.example/mcp'
const NOW = 1_800_000_000_000
const nowS = NOW / 1000
const watch = leakWatch()
const SECRET = watch.secret('p@ss:w%rd+ /é&=x')
const secret = { reveal: () => SECRET }

const peers: { close: () => Promise<void> }[] = []
afterEach(async () => {
  await Promise.all(peers.splice(0).map((p) => p.close()))
})
afterAll(() => {
  expect(watch.count()).toBeGreaterThan(10)
  watch.assertNoLeak()
})

const active = (extra: Record<string, unknown> = {}) => ({
  active: true,
  iss: ISSUER,
  aud: [AUDIENCE, 'other'],
  sub: 'user-1',
  client_id: 'client-1',
  scope: 'memories:read  tasks:write',
  exp: nowS + 600,
  ...extra,
})

async function setup(
  claims: Record<string, unknown>,
  options: Partial<IntrospectionVerifierOptions> = {},
) {
  const peer = await introspectionEndpoint(() => claims)
  peers.push(peer)
  const verifier = createIntrospectionVerifier({
    endpoint: peer.endpoint,
    issuer: ISSUER,
    audience: AUDIENCE,
    clientId: 'mcp:server',
    clientSecret: secret,
    clock: () => NOW,
    ...options,
  })
  return { peer, verifier }
}

const newToken = () => watch.secret(`opaque-${randomToken()}`)

describe('createIntrospectionVerifier: an active answer passes (RFC 7662 §2.2, TOK-3, TOK-4)', () => {
  it('maps the answer to a VerifiedToken', async () => {
    const { verifier } = await setup(active())
    const token = newToken()
    await expect(verifier.verify(token)).resolves.toEqual({
      subject: 'user-1',
      issuer: ISSUER,
      scopes: ['memories:read', 'tasks:write'],
      audience: [AUDIENCE, 'other'],
      expiresAt: nowS + 600,
      clientId: 'client-1',
      tokenFingerprint: tokenFingerprint(token),
    })
  })

  it.each([
    ['aud as a string', { aud: AUDIENCE }, { audience: [AUDIENCE] }],
    ['no iss: the configured issuer is reported', { iss: undefined }, { issuer: ISSUER }],
    ['no scope', { scope: undefined }, { scopes: [] }],
    ['token_type Bearer', { token_type: 'Bearer' }, { subject: 'user-1' }],
    [
      'no exp: trusted until the end of the cache period',
      { exp: undefined },
      { expiresAt: nowS + 60 },
    ],
    ['expired within the 30 s leeway', { exp: nowS - 5 }, { expiresAt: nowS - 5 }],
    ['nbf within the leeway', { nbf: nowS + 5 }, { subject: 'user-1' }],
  ])('%s', async (_name, patch, expected) => {
    const { verifier } = await setup(active(patch))
    expect(await verifier.verify(newToken())).toMatchObject(expected)
  })

  it('no client_id: the field is left out', async () => {
    const { verifier } = await setup(active({ client_id: undefined }))
    expect(await verifier.verify(newToken())).not.toHaveProperty('clientId')
  })
})

/** The same detail as the JWT verifier's, so the audit trail reads alike for both. */
const SENDER_CONSTRAINED = /^sender-constrained token \(cnf\) is not supported$/

describe('createIntrospectionVerifier: refused answers → 401 invalid_token (TOK-3, TOK-4, ERR-2)', () => {
  it.each([
    ['inactive (TOK-3)', { active: false }, /^inactive/],
    ['bare inactive answer', { active: false, sub: undefined, aud: undefined }, /^inactive/],
    ['active as a string', { active: 'true' }, /^inactive/],
    ['expired exp (TOK-3)', { exp: nowS - 31 }, /^expired/],
    ['malformed exp', { exp: 'tomorrow' }, /malformed exp/],
    ['nbf in the future (TOK-3)', { nbf: nowS + 120 }, /^nbf in the future/],
    ['wrong iss (TOK-3)', { iss: 'https://evil.example' }, /^iss is not/],
    ['iss with a trailing slash', { iss: `${ISSUER}/` }, /^iss is not/],
    ['wrong aud (TOK-4)', { aud: 'https://other.example/mcp' }, /^aud does not contain/],
    ['missing aud (TOK-4)', { aud: undefined }, /^aud missing/],
    ['malformed aud', { aud: [AUDIENCE, 7] }, /malformed aud/],
    ['missing sub', { sub: undefined }, /^sub missing/],
    ['empty sub', { sub: '' }, /^sub missing/],
    ['malformed scope', { scope: ['a'] }, /malformed scope/],
    ['DPoP token used as a bearer (RFC 9449)', { token_type: 'DPoP' }, /token_type/],
    ['certificate-bound token (RFC 8705)', { cnf: { 'x5t#S256': 'x' } }, SENDER_CONSTRAINED],
    ['DPoP-bound token, token_type Bearer (RFC 9449)', { cnf: { jkt: 'x' } }, SENDER_CONSTRAINED],
  ])('%s', async (_name, patch, detail) => {
    const { verifier } = await setup(active(patch))
    const error = await watch.rejection(verifier.verify(newToken()))
    expect(error).toBeInstanceOf(OAuthError)
    const oauth = error as OAuthError
    expect([oauth.code, oauth.status]).toEqual(['invalid_token', 401])
    expect(oauth.description).toBe('the access token is invalid or expired')
    expect(oauth.detail).toMatch(detail)
  })

  it('an empty token is refused without a request', async () => {
    const { peer, verifier } = await setup(active())
    const error = (await watch.rejection(verifier.verify(''))) as OAuthError
    expect([error.code, error.detail]).toEqual(['invalid_token', 'empty token'])
    expect(peer.count()).toBe(0)
  })
})

/** RFC 6749 §2.3.1: each part is form-decoded after splitting at the first colon. */
function basicCredentials(request: PeerRequest): [string, string] {
  const header = request.headers.authorization ?? ''
  expect(header).toMatch(/^Basic [A-Za-z0-9+/]+=*$/)
  const decoded = Buffer.from(header.slice(6), 'base64').toString('utf8')
  const colon = decoded.indexOf(':')
  const form = (v: string) => new URLSearchParams(`x=${v}`).get('x')
  return [form(decoded.slice(0, colon)) ?? '', form(decoded.slice(colon + 1)) ?? '']
}

describe('createIntrospectionVerifier: the request (RFC 7662 §2.1, RFC 6749 §2.3.1)', () => {
  it('client_secret_basic (default): form-encoded id and secret, token in the body', async () => {
    const { peer, verifier } = await setup(active())
    const token = newToken()
    await verifier.verify(token)
    const [request] = peer.requests
    expect(request).toBeDefined()
    const req = request as PeerRequest
    expect([req.method, req.path]).toEqual(['POST', '/introspect'])
    expect(req.headers.accept).toBe('application/json')
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded')
    expect(basicCredentials(req)).toEqual(['mcp:server', SECRET])
    const raw = Buffer.from((req.headers.authorization ?? '').slice(6), 'base64').toString()
    expect(raw).toBe('mcp%3Aserver:p%40ss%3Aw%25rd%2B+%2F%C3%A9%26%3Dx')
    const form = new URLSearchParams(req.body)
    expect([...form.keys()].sort()).toEqual(['token', 'token_type_hint'])
    expect(form.get('token')).toBe(token)
    expect(form.get('token_type_hint')).toBe('access_token')
  })

  it('client_secret_post: id and secret in the body, no Authorization header', async () => {
    const { peer, verifier } = await setup(active(), { authMethod: 'client_secret_post' })
    await verifier.verify(newToken())
    const req = peer.requests[0] as PeerRequest
    expect(req.headers.authorization).toBeUndefined()
    const form = new URLSearchParams(req.body)
    expect([form.get('client_id'), form.get('client_secret')]).toEqual(['mcp:server', SECRET])
  })

  it('the secret is revealed per request, so a rotated secret is used', async () => {
    let current = 'first'
    const { peer, verifier } = await setup(active(), {
      clientSecret: { reveal: () => current },
      cacheTtlSeconds: 0,
    })
    await verifier.verify(newToken())
    current = 'second'
    await verifier.verify(newToken())
    expect(peer.requests.map((r) => basicCredentials(r)[1])).toEqual(['first', 'second'])
  })

  it('a secret that cannot be read → 503, no request', async () => {
    const { peer, verifier } = await setup(active(), {
      clientSecret: {
        reveal: () => {
          throw new Error('keychain locked')
        },
      },
    })
    const error = (await watch.rejection(verifier.verify(newToken()))) as OAuthError
    expect([error.code, error.status]).toEqual(['temporarily_unavailable', 503])
    expect(error.detail).toBe('the introspection client secret could not be read')
    expect(peer.count()).toBe(0)
  })
})
