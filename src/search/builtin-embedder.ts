import { normalizeL2 } from './embedder.js'
import type { Embedder } from './embedder.js'
import { fnv1a32 } from './fnv1a.js'

export interface BuiltinEmbedderOptions {
  /** Vector length, an integer from 16 to 4096. Default 256. */
  dimensions?: number
}

export const BUILTIN_DIMENSIONS_DEFAULT = 256
const DIMENSIONS_MIN = 16
const DIMENSIONS_MAX = 4096

/** Feature weights: whole words count most, word pairs add order, trigrams survive typos. */
const WEIGHT_WORD = 1
const WEIGHT_STOP_WORD = 0.2
const WEIGHT_BIGRAM = 0.5
const WEIGHT_TRIGRAM = 0.3

/**
 * Common English function words: they carry little meaning, so they weigh less as words and
 * give no trigrams, and a pair of two of them is no feature. Changing this list changes the
 * vectors, which needs a new model name (`-v2`).
 */
const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a an and are as at be been but by for from had has have he her his i if in into is it its ' +
    'me my of on or our she so that the their them they this to was we were will with you your'
  ).split(' '),
)

/** Words: runs of Unicode letters, combining marks and digits. */
const WORD = /[\p{L}\p{M}\p{N}]+/gu

/**
 * An embedder that needs no network and no model file: feature hashing ("the hashing trick",
 * Weinberger et al., 2009) of lower-cased words, word pairs and character trigrams of each word
 * (with `^` and `$` marking its ends). Each feature is hashed with FNV-1a to a bucket and a sign,
 * weighted with sublinear term frequency (1 + ln tf), and the vector is L2-normalised. It finds
 * texts that share words or word stems, typos included; it knows no synonyms. Deterministic: the
 * same text always gives the same vector, on every platform. An empty text gives a zero vector.
 */
export function createBuiltinEmbedder(options: BuiltinEmbedderOptions = {}): Embedder {
  const dimensions = options.dimensions ?? BUILTIN_DIMENSIONS_DEFAULT
  if (!Number.isInteger(dimensions) || dimensions < DIMENSIONS_MIN || dimensions > DIMENSIONS_MAX) {
    throw new RangeError(
      `builtin embedder dimensions must be an integer from ${DIMENSIONS_MIN} to ${DIMENSIONS_MAX}, got ${String(dimensions)}`,
    )
  }
  return {
    model: `builtin-hash-v1-${dimensions}`,
    dimensions,
    embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
      try {
        return Promise.resolve(
          texts.map((text) => {
            signal?.throwIfAborted()
            return embedOne(text, dimensions)
          }),
        )
      } catch (error) {
        return Promise.reject(error as Error)
      }
    },
  }
}

function embedOne(text: string, dimensions: number): Float32Array {
  const vector = new Float32Array(dimensions)
  for (const [feature, weight] of features(text)) {
    const hash = finalize(fnv1a32(feature))
    const bucket = hash % dimensions
    vector[bucket] = (vector[bucket] ?? 0) + (hash & 0x80_00_00_00 ? -weight : weight)
  }
  return normalizeL2(vector)
}

/** Weighted features of a text: key → weight × (1 + ln tf). Keys are prefixed by kind. */
function features(text: string): Map<string, number> {
  const words = text.normalize('NFKC').toLowerCase().match(WORD) ?? []
  const counts = new Map<string, { weight: number; tf: number }>()
  const add = (key: string, weight: number): void => {
    const entry = counts.get(key)
    if (entry) entry.tf++
    else counts.set(key, { weight, tf: 1 })
  }
  let previous: string | undefined
  for (const word of words) {
    const stop = STOP_WORDS.has(word)
    add(`w:${word}`, stop ? WEIGHT_STOP_WORD : WEIGHT_WORD)
    if (previous !== undefined && !(stop && STOP_WORDS.has(previous))) {
      add(`b:${previous} ${word}`, WEIGHT_BIGRAM)
    }
    if (!stop) {
      const chars = ['^', ...word, '$']
      for (let i = 0; i + 3 <= chars.length; i++) {
        add(`t:${chars[i]}${chars[i + 1]}${chars[i + 2]}`, WEIGHT_TRIGRAM)
      }
    }
    previous = word
  }
  const weighted = new Map<string, number>()
  for (const [key, { weight, tf }] of counts) weighted.set(key, weight * (1 + Math.log(tf)))
  return weighted
}

/** MurmurHash3's 32-bit finaliser: spreads FNV's bits so bucket and sign are independent. */
function finalize(hash: number): number {
  let h = hash
  h ^= h >>> 16
  h = Math.imul(h, 0x85_eb_ca_6b)
  h ^= h >>> 13
  h = Math.imul(h, 0xc2_b2_ae_35)
  h ^= h >>> 16
  return h >>> 0
}
