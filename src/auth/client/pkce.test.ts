import { describe, expect, it } from 'vitest'
import { createPkce, createState, pkceChallenge } from './pkce.js'

describe('PKCE S256 (RFC 7636; PKCE-1, PKCE-2)', () => {
  it('RFC 7636 Appendix B: the verifier gives the published challenge', () => {
    expect(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk')).toBe(
      'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    )
  })

  it.each([
    [32, 43],
    [64, 86],
    [96, 128],
  ])('%i random bytes make a %i-character unreserved verifier', (bytes, length) => {
    const pkce = createPkce(bytes)
    expect(pkce.verifier).toMatch(new RegExp(`^[A-Za-z0-9_-]{${length}}$`))
    expect(pkce.method).toBe('S256')
    expect(pkce.challenge).toBe(pkceChallenge(pkce.verifier))
  })

  it('never repeats a verifier', () => {
    const verifiers = new Set(Array.from({ length: 50 }, () => createPkce().verifier))
    expect(verifiers.size).toBe(50)
  })

  it.each([31, 97, 1.5])('refuses %s bytes (outside 43–128 characters)', (bytes) => {
    expect(() => createPkce(bytes)).toThrow(TypeError)
  })

  it.each(['short', 'a'.repeat(129), `${'a'.repeat(42)} `, `${'a'.repeat(42)}+`])(
    'refuses the verifier %j (RFC 7636 §4.1)',
    (verifier) => {
      expect(() => pkceChallenge(verifier)).toThrow(/43 to 128 unreserved characters/)
    },
  )
})

describe('state (STATE-1)', () => {
  it('is 256 random bits, base64url, never repeated', () => {
    const states = Array.from({ length: 50 }, () => createState())
    for (const state of states) expect(state).toMatch(/^[A-Za-z0-9_-]{43}$/)
    expect(new Set(states).size).toBe(50)
  })
})
