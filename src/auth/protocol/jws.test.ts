import { describe, expect, it } from 'vitest'
import { ASYMMETRIC_JWS_ALGORITHMS } from './jws.js'

describe('ASYMMETRIC_JWS_ALGORITHMS', () => {
  it('has no none and no HMAC (TOK-3)', () => {
    for (const alg of ASYMMETRIC_JWS_ALGORITHMS) expect(alg).not.toMatch(/^(none|HS\d+)$/i)
  })
})
