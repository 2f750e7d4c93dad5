import { createHash } from 'node:crypto'

import { describe, expect, it } from 'vitest'

import { createBuiltinEmbedder } from './builtin-embedder.js'
import { cosineSimilarity } from './embedder.js'

const embedder = createBuiltinEmbedder()

async function similarity(a: string, b: string): Promise<number> {
  const [va, vb] = await embedder.embed([a, b])
  return cosineSimilarity(va!, vb!)
}

function norm(vector: Float32Array): number {
  return Math.sqrt(cosineSimilarity(vector, vector))
}

describe('createBuiltinEmbedder', () => {
  it('names its vector space after the algorithm version and size', () => {
    expect(embedder.model).toBe('builtin-hash-v1-256')
    expect(embedder.dimensions).toBe(256)
    const small = createBuiltinEmbedder({ dimensions: 64 })
    expect(small.model).toBe('builtin-hash-v1-64')
    expect(small.dimensions).toBe(64)
  })

  it('makes vectors of the configured length', async () => {
    const [vector] = await createBuiltinEmbedder({ dimensions: 1024 }).embed(['hello world'])
    expect(vector).toBeInstanceOf(Float32Array)
    expect(vector).toHaveLength(1024)
  })

  it.each([0, 8, 15, 4097, 1.5, Number.NaN])('refuses %s dimensions', (dimensions) => {
    expect(() => createBuiltinEmbedder({ dimensions })).toThrow(
      /^builtin embedder dimensions must be an integer from 16 to 4096, got /,
    )
  })

  it('is deterministic across calls and instances', async () => {
    const texts = ['Team meeting on Friday', 'Zahnarzttermin am Montag', '東京で会議']
    const first = await embedder.embed(texts)
    const second = await createBuiltinEmbedder().embed(texts)
    expect(second).toEqual(first)
  })

  it('keeps the v1 vectors bit for bit (a change needs a new model name)', async () => {
    const [vector] = await embedder.embed([
      'The quick brown fox jumps over the lazy dog, twice: 2x!',
    ])
    const digest = createHash('sha256').update(new Uint8Array(vector!.buffer)).digest('hex')
    expect(digest).toMatchInlineSnapshot(
      `"56b3b4819cab84f769d796dbb357bc1126dc2c1a269231b9ceed89d02444e3b1"`,
    )
  })

  it('returns one unit vector per text, in order', async () => {
    const texts = [
      'alpha',
      'beta gamma',
      'a much longer text about many different things '.repeat(50),
    ]
    const vectors = await embedder.embed(texts)
    expect(vectors).toHaveLength(3)
    for (const vector of vectors) expect(norm(vector)).toBeCloseTo(1, 5)
    expect(vectors[0]).toEqual((await embedder.embed(['alpha']))[0])
  })

  it.each(['', '   ', '?!… — ...'])(
    'gives a zero vector for %j, which has no words',
    async (text) => {
      const [vector] = await embedder.embed([text])
      expect(vector).toHaveLength(256)
      expect(vector!.every((value) => value === 0)).toBe(true)
    },
  )

  it('returns nothing for no texts', async () => {
    await expect(embedder.embed([])).resolves.toEqual([])
  })

  it('ignores case, punctuation and Unicode compatibility forms', async () => {
    const [a, b, c] = await embedder.embed([
      'Meeting, FRIDAY!',
      'meeting friday',
      'ｍｅｅｔｉｎｇ friday',
    ])
    expect(b).toEqual(a)
    expect(c).toEqual(a)
  })

  // [anchor, related, unrelated]: the related text must score higher, by a margin.
  it.each([
    [
      'Dentist appointment on Tuesday at 3pm',
      'Reminder: dentist appointment Tuesday afternoon',
      'Quarterly tax return is due in April',
    ],
    [
      'buy milk, eggs and bread',
      'Grocery list: milk, bread, eggs',
      'Call mom about the birthday party',
    ],
    ['My wife is called Anna', 'Anna is my wife', 'The server runs PostgreSQL 15'],
    [
      'team meeting moved to Friday',
      'the meeting with the team is on Friday now',
      'renew the passport before travelling',
    ],
    ['project deadline', 'projects and their deadlines', 'holiday in Spain'],
    [
      'Termin beim Zahnarzt am Montag',
      'Zahnarzttermin Montag',
      'Steuererklärung bis April abgeben',
    ],
    ['встреча в пятницу', 'встреча в пятницу утром', 'купить молоко'],
  ])('ranks %j nearer to %j than to %j', async (anchor, related, unrelated) => {
    const near = await similarity(anchor, related)
    const far = await similarity(anchor, unrelated)
    expect(near).toBeGreaterThan(far + 0.15)
  })

  it('ranks scripts written without spaces by trigrams alone: weaker, still in order', async () => {
    // '東京で会議' is one "word" to the tokenizer, so only shared character trigrams count.
    const near = await similarity('東京で会議', '東京の会議')
    expect(near).toBeGreaterThan(0.1)
    expect(near).toBeGreaterThan((await similarity('東京で会議', '牛乳を買う')) + 0.05)
  })

  it.each([
    ['meeting', 'meetng', 'passport'],
    ['appointment', 'apointment', 'groceries'],
    [
      'Team meeting with Sarah on Friday',
      'Team meetng with Sara on Firday',
      'Pay the electricity bill',
    ],
  ])('still finds %j when it is typed %j', async (word, typo, unrelated) => {
    const near = await similarity(word, typo)
    expect(near).toBeGreaterThan(0.15)
    expect(near).toBeGreaterThan(await similarity(word, unrelated))
  })

  it('scores word order a little, not much', async () => {
    const swapped = await similarity('dog bites man', 'man bites dog')
    expect(swapped).toBeGreaterThan(0.7)
    expect(swapped).toBeLessThan(0.99)
  })

  it('stops at an aborted signal', async () => {
    const controller = new AbortController()
    controller.abort(new Error('stop'))
    await expect(embedder.embed(['text'], controller.signal)).rejects.toThrow('stop')
  })
})
