import { describe, expect, it } from 'vitest'
import { OAuthError } from './errors.js'
import { constantTimeEqual, randomToken, sha256Hex, tokenFingerprint } from './secrets.js'

describe('constantTimeEqual (CONVENTIONS §5.7)', () => {
  it.each([
    ['abc', 'abc', true],
    ['abc', 'abd', false],
    ['abc', 'abcd', false],
    ['', '', true],
    ['', 'a', false],
    ['é', 'é', true],
  ])('%j vs %j → %s', (a, b, expected) => {
    expect(constantTimeEqual(a, b)).toBe(expected)
  })

  it('returns false for non-strings instead of throwing', () => {
    expect(constantTimeEqual(undefined as unknown as string, 'a')).toBe(false)
  })
})

describe('randomToken, sha256Hex, tokenFingerprint', () => {
  it('makes distinct base64url tokens of the requested entropy', () => {
    const a = randomToken()
    expect(a).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(constantTimeEqual(a, randomToken())).toBe(false)
    expect(randomToken(16)).toHaveLength(22)
  })

  it.each([[0], [8], [1.5], [2048]])('refuses %s bytes', (bytes) => {
    expect(() => randomToken(bytes)).toThrow(TypeError)
  })

  it('hashes with SHA-256 (FIPS 180-4 vector) and fingerprints with 16 hex (TOK-7)', () => {
    expect(sha256Hex('abc')).toBe(
      'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad',
    )
    expect(tokenFingerprint('abc')).toBe('sha256:ba7816bf8f01cfea')
  })
})

describe('OAuthError (CONVENTIONS §5.4, ERR-1)', () => {
  it.each([
    ['invalid_request', 400],
    ['invalid_token', 401],
    ['insufficient_scope', 403],
    ['server_error', 500],
    ['temporarily_unavailable', 503],
  ] as const)('%s → %i, detail private', (code, status) => {
    const error = new OAuthError(code, 'public text', { detail: 'private' })
    expect(error.status).toBe(status)
    expect(error.detail).toBe('private')
    expect(error.toResponseObject()).toEqual({ error: code, error_description: 'public text' })
    expect(JSON.stringify(error)).not.toContain('private')
  })
})
