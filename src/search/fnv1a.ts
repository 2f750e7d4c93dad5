const FNV_OFFSET_BASIS = 0x81_1c_9d_c5
const FNV_PRIME = 0x01_00_01_93

function mix(hash: number, byte: number): number {
  return Math.imul(hash ^ byte, FNV_PRIME)
}

/**
 * FNV-1a, 32 bits, over the UTF-8 bytes of `text` (Fowler, Noll, Vo; draft-eastlake-fnv).
 * Returns an unsigned 32-bit integer. Lone surrogates are hashed as U+FFFD, as UTF-8 encoders do.
 */
export function fnv1a32(text: string): number {
  let hash = FNV_OFFSET_BASIS
  for (const char of text) {
    let code = char.codePointAt(0) ?? 0xff_fd
    if (code >= 0xd8_00 && code <= 0xdf_ff) code = 0xff_fd
    if (code < 0x80) {
      hash = mix(hash, code)
    } else if (code < 0x8_00) {
      hash = mix(hash, 0xc0 | (code >> 6))
      hash = mix(hash, 0x80 | (code & 0x3f))
    } else if (code < 0x1_00_00) {
      hash = mix(hash, 0xe0 | (code >> 12))
      hash = mix(hash, 0x80 | ((code >> 6) & 0x3f))
      hash = mix(hash, 0x80 | (code & 0x3f))
    } else {
      hash = mix(hash, 0xf0 | (code >> 18))
      hash = mix(hash, 0x80 | ((code >> 12) & 0x3f))
      hash = mix(hash, 0x80 | ((code >> 6) & 0x3f))
      hash = mix(hash, 0x80 | (code & 0x3f))
    }
  }
  return hash >>> 0
}
