import { randomBytes } from 'node:crypto'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

import { afterEach, describe, expect, it } from 'vitest'

import { EmbedderError } from './embedder-error.js'
import { createOpenAiEmbedder, OPENAI_BATCH_SIZE } from './openai-embedder.js'
import { embeddingsEndpoint } from './openai-endpoint.js'
import type { OpenAiEmbedderOptions } from './openai-embedder.js'

/**
 * A real HTTP peer on 127.0.0.1 that speaks the OpenAI embeddings wire format. By default it
 * answers like the API does; a test can replace the answer. It records every request it got.
 */
interface Received {
  method: string | undefined
  path: string | undefined
  headers: IncomingHttpHeaders
  body: { model: string; input: string[]; dimensions?: number }
}

type Answer = (request: Received, response: ServerResponse) => void | Promise<void>

interface Peer {
  /** The `/v1` base URL. */
  url: string
  received: Received[]
  answer: Answer
  close(): Promise<void>
}

const peers: Peer[] = []

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()))
})

/** A vector that encodes the input, unnormalised: [length, 1, 2]. */
function vectorFor(text: string, dimensions = 3): number[] {
  return [text.length, 1, 2, ...Array.from({ length: dimensions - 3 }, () => 0)]
}

function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json' }).end(text)
}

/** The API's own answer: data in index order, with usage, like api.openai.com. */
const apiAnswer: Answer = (request, response) => {
  json(response, 200, {
    object: 'list',
    data: request.body.input.map((text, index) => ({
      object: 'embedding',
      index,
      embedding: vectorFor(text, request.body.dimensions ?? 3),
    })),
    model: request.body.model,
    usage: { prompt_tokens: 1, total_tokens: 1 },
  })
}

async function startPeer(answer: Answer = apiAnswer): Promise<Peer> {
  const received: Received[] = []
  const peer: Peer = {
    url: '',
    received,
    answer,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
  const server = createServer((request: IncomingMessage, response: ServerResponse) => {
    const chunks: Buffer[] = []
    request.on('data', (chunk: Buffer) => chunks.push(chunk))
    request.on('end', () => {
      const entry: Received = {
        method: request.method,
        path: request.url,
        headers: request.headers,
        body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Received['body'],
      }
      received.push(entry)
      void Promise.resolve(peer.answer(entry, response)).catch(() => response.destroy())
    })
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  peer.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
  peers.push(peer)
  return peer
}

function newKey(): string {
  return `sk-test-${randomBytes(24).toString('base64url')}`
}

function secret(value: string): { reveal(): string } {
  return { reveal: () => value }
}

function embedderFor(peer: Peer, key: string, options: Partial<OpenAiEmbedderOptions> = {}) {
  return createOpenAiEmbedder({
    url: peer.url,
    model: 'text-embedding-3-small',
    apiKey: secret(key),
    ...options,
  })
}

function norm(vector: Float32Array): number {
  return Math.hypot(...vector)
}

/** Every way an error can reach a log or a person: none may carry the key or the input. */
function expectSafe(error: unknown, ...forbidden: string[]): void {
  const views: string[] = []
  for (let current: unknown = error; current; current = (current as Error).cause) {
    const err = current as Error
    views.push(String(err), err.message, err.stack ?? '', JSON.stringify(err))
  }
  for (const view of views) for (const text of forbidden) expect(view).not.toContain(text)
}

async function failure(promise: Promise<unknown>): Promise<EmbedderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(EmbedderError)
  return error as EmbedderError
}

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

  describe('error statuses: the status line and a fix, never the body', () => {
    it.each([
      [
        401,
        'unauthorized',
        'embeddings service answered 401 Unauthorized: check embeddings.api_key',
      ],
      [
        403,
        'forbidden',
        'embeddings service answered 403 Forbidden: check that embeddings.api_key may use embeddings.model',
      ],
      [
        404,
        'not_found',
        'embeddings service answered 404 Not Found: check embeddings.url (the /v1 base) and embeddings.model',
      ],
      [
        400,
        'bad_request',
        'embeddings service answered 400 Bad Request: check embeddings.model and embeddings.dimensions',
      ],
      [
        422,
        'bad_request',
        'embeddings service answered 422 Unprocessable Entity: check embeddings.model and embeddings.dimensions',
      ],
      [
        429,
        'rate_limited',
        'embeddings service answered 429 Too Many Requests: the service is rate limiting or out of quota; try again later',
      ],
      [
        500,
        'unavailable',
        'embeddings service answered 500 Internal Server Error: the service is failing; try again later',
      ],
      [
        503,
        'unavailable',
        'embeddings service answered 503 Service Unavailable: the service is failing; try again later',
      ],
      [418, 'http_error', 'embeddings service answered 418: check embeddings.url'],
    ])('%i → %s', async (status, code, message) => {
      const key = newKey()
      const input = `private note ${randomBytes(8).toString('hex')}`
      // A hostile or chatty server: echoes the key and the input in the body and reason phrase.
      const peer = await startPeer((request, response) => {
        response.statusMessage = `echo ${String(request.headers.authorization)}`
        json(response, status, {
          error: { message: `bad key ${String(request.headers.authorization)} for ${input}` },
        })
      })
      const error = await failure(embedderFor(peer, key).embed([input]))
      expect(error.code).toBe(code)
      expect(error.status).toBe(status)
      expect(error.message).toBe(message)
      expectSafe(error, key, input, 'echo')
    })

    it('passes on Retry-After', async () => {
      const peer = await startPeer((_request, response) => {
        response.setHeader('retry-after', '7')
        json(response, 429, { error: { message: 'slow down' } })
      })
      const error = await failure(embedderFor(peer, newKey()).embed(['x']))
      expect(error.retryAfterSeconds).toBe(7)
    })

    it('does not follow a redirect with the key', async () => {
      const target = await startPeer()
      const peer = await startPeer((_request, response) => {
        response.writeHead(307, { location: `${target.url}/embeddings` }).end()
      })
      const key = newKey()
      const error = await failure(embedderFor(peer, key).embed(['x']))
      expect(error.code).toBe('http_error')
      expect(error.message).toBe(
        'embeddings service answered 307 redirect: set embeddings.url to the final address',
      )
      expect(target.received).toHaveLength(0)
      expectSafe(error, key)
    })
  })

  describe('malformed answers', () => {
    const ok = (embedding: unknown, index: unknown = 0) => ({ index, embedding })
    it.each([
      ['not JSON', 'this is not json', 'it is not JSON'],
      ['an empty object', {}, 'it has no "data" array'],
      ['data that is not an array', { data: {} }, 'it has no "data" array'],
      ['a top-level array', [ok([1])], 'it has no "data" array'],
      ['too few items', { data: [ok([1, 2])] }, '1 embeddings for 2 inputs'],
      ['too many items', { data: [ok([1]), ok([1], 1), ok([1], 2)] }, '3 embeddings for 2 inputs'],
      ['items that are not objects', { data: ['x', 'y'] }, 'data[0] is not an object'],
      [
        'a string embedding',
        { data: [ok('AAAA'), ok('AAAA', 1)] },
        'data[0].embedding is not a non-empty array of numbers',
      ],
      [
        'a null in an embedding',
        { data: [ok([1]), ok([1, null], 1)] },
        'data[1].embedding is not a non-empty array of numbers',
      ],
      [
        'an empty embedding',
        { data: [ok([]), ok([], 1)] },
        'data[0].embedding is not a non-empty array of numbers',
      ],
      [
        'an index out of range',
        { data: [ok([1]), ok([1], 2)] },
        'data[1].index is not an integer from 0 to 1',
      ],
      [
        'a fractional index',
        { data: [ok([1]), ok([1], 0.5)] },
        'data[1].index is not an integer from 0 to 1',
      ],
      ['a repeated index', { data: [ok([1]), ok([1], 0)] }, 'index 0 appears twice'],
      [
        'mixed index presence',
        { data: [ok([1]), { embedding: [1] }] },
        'some items of "data" have an "index" and some do not',
      ],
      [
        'vectors of different lengths',
        { data: [ok([1, 2]), ok([1], 1)] },
        'vectors of different lengths (2 and 1)',
      ],
      [
        'values out of range',
        { data: [ok([1e200, 1e200]), ok([1, 1], 1)] },
        'data[0].embedding has values out of range',
      ],
    ])('refuses %s', async (_name, body, what) => {
      const key = newKey()
      const peer = await startPeer((_request, response) => {
        const text = typeof body === 'string' ? `${body} ${key}` : JSON.stringify(body)
        response.writeHead(200, { 'content-type': 'application/json' }).end(text)
      })
      const error = await failure(embedderFor(peer, key).embed(['first', 'second']))
      expect(error.code).toBe('bad_response')
      expect(error.message).toBe(`embeddings service returned an unexpected body: ${what}`)
      expectSafe(error, key, 'this is not json', 'first', 'second')
    })
  })

  describe('time and cancellation', () => {
    it('times out a service that does not answer', async () => {
      const peer = await startPeer(() => {
        // Never answers; the peer's close() ends the connection.
      })
      const error = await failure(embedderFor(peer, newKey(), { timeoutMs: 150 }).embed(['x']))
      expect(error.code).toBe('timeout')
      expect(error.message).toBe(
        'embeddings service timed out after 150 ms: check embeddings.url or raise embeddings.timeout_ms',
      )
    })

    it('times out a body that stops half way', async () => {
      const peer = await startPeer((_request, response) => {
        response.writeHead(200, { 'content-type': 'application/json' })
        response.write('{"data": [')
      })
      const error = await failure(embedderFor(peer, newKey(), { timeoutMs: 150 }).embed(['x']))
      expect(error.code).toBe('timeout')
    })

    it('rejects with the caller’s reason when the caller aborts', async () => {
      const peer = await startPeer(() => {})
      const controller = new AbortController()
      const reason = new Error('user cancelled')
      const pending = embedderFor(peer, newKey()).embed(['x'], controller.signal)
      await expect.poll(() => peer.received.length).toBe(1)
      controller.abort(reason)
      await expect(pending).rejects.toBe(reason)
    })

    it('does not start when the signal is already aborted', async () => {
      const peer = await startPeer()
      const controller = new AbortController()
      controller.abort(new Error('already'))
      await expect(embedderFor(peer, newKey()).embed(['x'], controller.signal)).rejects.toThrow(
        'already',
      )
      expect(peer.received).toHaveLength(0)
    })
  })

  it('says which address could not be reached, and why, without the key', async () => {
    const peer = await startPeer()
    await peer.close()
    peers.splice(peers.indexOf(peer), 1)
    const key = newKey()
    const error = await failure(embedderFor(peer, key).embed(['x']))
    expect(error.code).toBe('unreachable')
    expect(error.message).toBe(
      `embeddings service at ${new URL(peer.url).origin} could not be reached (ECONNREFUSED): check embeddings.url and that the service is running`,
    )
    expectSafe(error, key)
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
