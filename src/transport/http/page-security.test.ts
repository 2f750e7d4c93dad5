import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import {
  cookieName,
  csrfToken,
  csrfValid,
  loginRefusalMessage,
  newSession,
  openSession,
  readCookie,
  sameOriginPost,
  sealSession,
  setCookie,
} from './page-security.js'

const key = randomBytes(32)

describe('CSRF tokens', () => {
  it('are bound to their purpose and key', () => {
    const token = csrfToken(key, 'interaction:abc')
    expect(csrfValid(key, 'interaction:abc', token)).toBe(true)
    expect(csrfValid(key, 'interaction:abd', token)).toBe(false)
    expect(csrfValid(randomBytes(32), 'interaction:abc', token)).toBe(false)
    expect(csrfValid(key, 'interaction:abc', undefined)).toBe(false)
    expect(csrfValid(key, 'interaction:abc', '')).toBe(false)
    expect(csrfValid(key, 'interaction:abc', [token])).toBe(false)
  })
})

describe('sameOriginPost', () => {
  const origin = 'https://as.example'
  it.each([
    [{ origin }, true],
    [{}, true],
    [{ 'sec-fetch-site': 'same-origin', origin }, true],
    [{ origin: 'https://evil.example' }, false],
    [{ origin: 'null' }, false],
    [{ 'sec-fetch-site': 'cross-site' }, false],
    [{ 'sec-fetch-site': 'same-site', origin }, false],
  ])('%j → %s', (headers, expected) => {
    expect(sameOriginPost(new Headers(headers), origin)).toBe(expected)
  })
})

describe('account sessions', () => {
  const now = Date.now()
  it('round-trip, and refuse forged, tampered and expired values', () => {
    const session = newSession('acct-1', 60, now)
    const sealed = sealSession(key, session)
    expect(openSession(key, sealed, now)).toEqual(session)
    expect(openSession(randomBytes(32), sealed, now)).toBeUndefined()
    const [body, mac] = sealed.split('.')
    const forged = Buffer.from(JSON.stringify({ ...session, accountId: 'acct-2' })).toString(
      'base64url',
    )
    expect(openSession(key, `${forged}.${mac}`, now)).toBeUndefined()
    expect(openSession(key, `${body}.`, now)).toBeUndefined()
    expect(openSession(key, sealed, now + 61_000)).toBeUndefined()
    expect(openSession(key, undefined, now)).toBeUndefined()
    expect(openSession(key, 'no-dot', now)).toBeUndefined()
  })
})

describe('cookies', () => {
  it('use __Host- with Secure on https, and HttpOnly SameSite=Lax Path=/ always', () => {
    expect(cookieName('mcp-pa-account', true)).toBe('__Host-mcp-pa-account')
    expect(cookieName('mcp-pa-account', false)).toBe('mcp-pa-account')
    expect(setCookie('__Host-a', 'v', 60, true)).toBe(
      '__Host-a=v; Path=/; Max-Age=60; HttpOnly; SameSite=Lax; Secure',
    )
    expect(setCookie('a', '', 0, false)).toBe('a=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax')
    expect(readCookie('x=1; a=two; b=3', 'a')).toBe('two')
    expect(readCookie(undefined, 'a')).toBeUndefined()
  })
})

describe('loginRefusalMessage', () => {
  it('says the same for an unknown user and a wrong password, and how long a lockout lasts', () => {
    expect(loginRefusalMessage({ ok: false, reason: 'invalid_credentials' })).toBe(
      'The username or password is incorrect.',
    )
    expect(loginRefusalMessage({ ok: false, reason: 'locked', retryAfter: 1 })).toMatch(
      /1 second\./,
    )
    expect(loginRefusalMessage({ ok: false, reason: 'locked', retryAfter: 8 })).toMatch(
      /8 seconds\./,
    )
    expect(loginRefusalMessage({ ok: false, reason: 'disabled' })).toMatch(/disabled/)
  })
})
