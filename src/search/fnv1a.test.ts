import { describe, expect, it } from 'vitest'

import { fnv1a32 } from './fnv1a.js'

/** The textbook definition over bytes, to check the code-point walk against. */
function reference(text: string): number {
  let hash = 0x81_1c_9d_c5
  for (const byte of Buffer.from(text, 'utf8')) hash = Math.imul(hash ^ byte, 0x01_00_01_93)
  return hash >>> 0
}

describe('fnv1a32', () => {
  // Published FNV-1a 32-bit test vectors (draft-eastlake-fnv, fnvhash test suite).
  it.each([
    ['', 0x81_1c_9d_c5],
    ['a', 0xe4_0c_29_2c],
    ['b', 0xe7_0c_2d_e5],
    ['foobar', 0xbf_9c_f9_68],
  ])('hashes %j to the published value', (text, expected) => {
    expect(fnv1a32(text)).toBe(expected)
  })

  it.each(['é', 'Zahnarzttermin', 'встреча', '東京で会議', 'emoji 🎉 and 𝔘', 'naïve café'])(
    'hashes the UTF-8 bytes of %j',
    (text) => {
      expect(fnv1a32(text)).toBe(reference(text))
    },
  )

  it('hashes a lone surrogate as U+FFFD, like a UTF-8 encoder', () => {
    expect(fnv1a32('a\uD800b')).toBe(reference('a\uFFFDb'))
  })
})
