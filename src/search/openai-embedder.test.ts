import { describe, expect, it } from 'vitest'
import { createOpenAiEmbedder, OPENAI_BATCH_SIZE } from './openai-embedder.js'
import { embeddingsEndpoint } from './openai-endpoint.js'
import {
  embedderFor,
  expectSafe,
  failure,
  json,
  newKey,
  norm,
  secret,
  startPeer,
  vectorFor,
} from './test-support.js'

describe('createOpenAiEmbedder against a real HTTP peer', () => {
  it('POSTs the OpenAI request to <url>/embeddings with the bearer key and returns unit vectors', async () => {
    const peer = await startPeer()
    const key = newKey()
    const embedder = embedderFor(peer, key)
    const vectors = await embedder.embed(['hello', 'a longer text'])

    expect(peer.received).toHaveLength(1)
    const [request] = peer.received
    expect(request!.method).toBe('POST')
    expect(request!.path).toBe('/v1/embeddings')
    expect(request!.headers.authorization).toBe(`Bearer ${key}`)
    expect(request!.headers['content-type']).toBe('application/json')
    expect(request!.headers.accept).toBe('application/json')
    expect(request!.body).toEqual({
      model: 'text-embedding-3-small',
      input: ['hello', 'a longer text'],
    })

    expect(vectors).toHaveLength(2)
    for (const vector of vectors) {
      expect(vector).toBeInstanceOf(Float32Array)
      expect(norm(vector)).toBeCloseTo(1, 6)
    }
    const expected = vectorFor('a longer text')
    const length = Math.hypot(...expected)
    expect([...vectors[1]!]).toEqual(expected.map((value) => Math.fround(value / length)))
  })

  it('strips trailing slashes from the base URL', async () => {
    const peer = await startPeer()
    await createOpenAiEmbedder({
      url: `${peer.url}//`,
      model: 'm',
      apiKey: secret(newKey()),
    }).embed(['x'])
    expect(peer.received[0]!.path).toBe('/v1/embeddings')
  })

  it('orders the answer by index, not by position', async () => {
    const peer = await startPeer((request, response) => {
      const data = request.body.input.map((text, index) => ({ index, embedding: vectorFor(text) }))
      json(response, 200, { data: data.reverse() })
    })
    const vectors = await embedderFor(peer, newKey()).embed(['a', 'bb', 'ccc'])
    const firsts = vectors.map((vector) => vector[0]! / vector[1]!)
    expect(firsts.map((value) => Math.round(value))).toEqual([1, 2, 3])
  })

  it('takes position order from servers that send no index', async () => {
    const peer = await startPeer((request, response) => {
      json(response, 200, {
        data: request.body.input.map((text) => ({ embedding: vectorFor(text) })),
      })
    })
    const vectors = await embedderFor(peer, newKey()).embed(['a', 'bb'])
    expect(vectors.map((vector) => Math.round(vector[0]! / vector[1]!))).toEqual([1, 2])
  })

  it(`sends at most ${OPENAI_BATCH_SIZE} inputs per request and keeps the order`, async () => {
    const peer = await startPeer()
    const texts = Array.from({ length: 200 }, (_, i) => 'x'.repeat(i + 1))
    const vectors = await embedderFor(peer, newKey()).embed(texts)
    expect(peer.received.map((request) => request.body.input.length)).toEqual([96, 96, 8])
    expect(peer.received.flatMap((request) => request.body.input)).toEqual(texts)
    expect(vectors.map((vector) => Math.round(vector[0]! / vector[1]!))).toEqual(
      texts.map((text) => text.length),
    )
  })

  it('reports 0 dimensions until the first answer, then what the service sent', async () => {
    const peer = await startPeer()
    const embedder = embedderFor(peer, newKey())
    expect(embedder.dimensions).toBe(0)
    await embedder.embed(['x'])
    expect(embedder.dimensions).toBe(3)
  })

  it('asks for the configured dimensions and checks them', async () => {
    const peer = await startPeer()
    const embedder = embedderFor(peer, newKey(), { dimensions: 8 })
    expect(embedder.dimensions).toBe(8)
    const [vector] = await embedder.embed(['x'])
    expect(peer.received[0]!.body.dimensions).toBe(8)
    expect(vector).toHaveLength(8)

    peer.answer = (request, response) => {
      json(response, 200, { data: [{ index: 0, embedding: vectorFor(request.body.input[0]!, 4) }] })
    }
    const error = await failure(embedder.embed(['y']))
    expect(error.code).toBe('bad_response')
    expect(error.message).toBe(
      'embeddings service returned 4-dimensional vectors, but embeddings.dimensions is 8: check that embeddings.model supports that size',
    )
  })

  it('refuses an answer whose size changed since the first one', async () => {
    const peer = await startPeer()
    const embedder = embedderFor(peer, newKey())
    await embedder.embed(['x'])
    peer.answer = (_request, response) => {
      json(response, 200, { data: [{ index: 0, embedding: [1, 2, 3, 4] }] })
    }
    const error = await failure(embedder.embed(['y']))
    expect(error.message).toBe(
      'embeddings service returned 4-dimensional vectors after 3-dimensional ones: the model behind embeddings.url changed',
    )
    expect(embedder.dimensions).toBe(3)
  })

  it('gives empty texts the zero vector without sending them', async () => {
    const peer = await startPeer()
    const embedder = embedderFor(peer, newKey())
    const vectors = await embedder.embed(['', 'x', ''])
    expect(peer.received[0]!.body.input).toEqual(['x'])
    expect([...vectors[0]!]).toEqual([0, 0, 0])
    expect(norm(vectors[1]!)).toBeCloseTo(1, 6)
    expect([...vectors[2]!]).toEqual([0, 0, 0])
  })

  it('cannot size zero vectors before it knows the dimensions', async () => {
    const peer = await startPeer()
    const error = await failure(embedderFor(peer, newKey()).embed(['']))
    expect(error.code).toBe('invalid_request')
    expect(peer.received).toHaveLength(0)
  })

  it('sends nothing for no texts', async () => {
    const peer = await startPeer()
    await expect(embedderFor(peer, newKey()).embed([])).resolves.toEqual([])
    expect(peer.received).toHaveLength(0)
  })

  it('sends no Authorization header when the key is empty (local servers)', async () => {
    const peer = await startPeer()
    await embedderFor(peer, '').embed(['x'])
    expect(peer.received[0]!.headers.authorization).toBeUndefined()
  })

  it('refuses a key that cannot be a header value, without sending or showing it', async () => {
    const peer = await startPeer()
    const key = `${newKey()}\r\nX-Injected: 1`
    const error = await failure(embedderFor(peer, key).embed(['x']))
    expect(error.code).toBe('invalid_request')
    expect(error.message).toBe(
      'embeddings.api_key has characters that cannot be sent in an HTTP header (spaces, line breaks or non-ASCII): check embeddings.api_key',
    )
    expectSafe(error, key.slice(0, 20))
    expect(peer.received).toHaveLength(0)
  })
})

describe('createOpenAiEmbedder options', () => {
  const base = { model: 'm', apiKey: secret('k') }

  it.each([
    'https://api.openai.com/v1',
    'https://api.openai.com/v1/',
    'http://localhost:11434/v1',
    'http://127.0.0.1:8080/v1',
    'http://127.9.8.7/v1',
    'http://[::1]:8080/v1',
  ])('accepts %s', (url) => {
    expect(() => createOpenAiEmbedder({ ...base, url })).not.toThrow()
  })

  it.each([
    ['http://api.openai.com/v1', /^embeddings.url must use https/],
    ['http://192.168.1.10:8080/v1', /^embeddings.url must use https/],
    ['http://localhost.example.com/v1', /^embeddings.url must use https/],
    ['http://[::2]/v1', /^embeddings.url must use https/],
    ['ftp://127.0.0.1/v1', /^embeddings.url must use https/],
    ['not a url', /^embeddings.url is not a URL/],
    ['https://user:pass@api.example.com/v1', /^embeddings.url must not contain credentials/],
    ['https://api.example.com/v1?key=x', /^embeddings.url must not have a query or fragment/],
  ])('refuses %s', (url, message) => {
    expect(() => createOpenAiEmbedder({ ...base, url })).toThrow(TypeError)
    expect(() => createOpenAiEmbedder({ ...base, url })).toThrow(message)
  })

  it.each([
    [{ model: '' }, 'embeddings.model must name a model, e.g. text-embedding-3-small'],
    [{ dimensions: 0 }, 'embeddings.dimensions must be a positive integer, got 0'],
    [{ dimensions: 1.5 }, 'embeddings.dimensions must be a positive integer, got 1.5'],
    [{ timeoutMs: -1 }, 'embeddings.timeout_ms must be a positive integer, got -1'],
  ])('refuses %j', (override, message) => {
    expect(() =>
      createOpenAiEmbedder({ ...base, url: 'https://api.example.com/v1', ...override }),
    ).toThrow(message)
  })

  it('builds the endpoint from the /v1 base', () => {
    expect(embeddingsEndpoint('https://api.example.com/v1/').href).toBe(
      'https://api.example.com/v1/embeddings',
    )
    expect(embeddingsEndpoint('http://127.1:8080/openai/v1').href).toBe(
      'http://127.0.0.1:8080/openai/v1/embeddings',
    )
  })
})
