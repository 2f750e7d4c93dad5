import { describe, expect, it } from 'vitest'
import { embedderFor, expectSafe, failure, json, newKey, peers, startPeer } from './test-support.js'
import { randomBytes } from 'node:crypto'

describe('createOpenAiEmbedder against a real HTTP peer: failures', () => {
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
