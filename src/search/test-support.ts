import { createServer } from 'node:http'
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, expect } from 'vitest'
import { EmbedderError } from './embedder-error.js'
import { createOpenAiEmbedder } from './openai-embedder.js'
import type { OpenAiEmbedderOptions } from './openai-embedder.js'
import { randomBytes } from 'node:crypto'

// The real loopback HTTP peer and helpers shared by the OpenAI embedder test files.

/**
 * A real HTTP peer on 127.0.0.1 that speaks the OpenAI embeddings wire format. By default it
 * answers like the API does; a test can replace the answer. It records every request it got.
 */
export interface Received {
  method: string | undefined
  path: string | undefined
  headers: IncomingHttpHeaders
  body: { model: string; input: string[]; dimensions?: number }
}

export type Answer = (request: Received, response: ServerResponse) => void | Promise<void>

export interface Peer {
  /** The `/v1` base URL. */
  url: string
  received: Received[]
  answer: Answer
  close(): Promise<void>
}

export const peers: Peer[] = []

afterEach(async () => {
  await Promise.all(peers.splice(0).map((peer) => peer.close()))
})

/** A vector that encodes the input, unnormalised: [length, 1, 2]. */
export function vectorFor(text: string, dimensions = 3): number[] {
  return [text.length, 1, 2, ...Array.from({ length: dimensions - 3 }, () => 0)]
}

export function json(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body)
  response.writeHead(status, { 'content-type': 'application/json' }).end(text)
}

/** The API's own answer: data in index order, with usage, like api.openai.com. */
export const apiAnswer: Answer = (request, response) => {
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

export async function startPeer(answer: Answer = apiAnswer): Promise<Peer> {
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

export function newKey(): string {
  return `sk-test-${randomBytes(24).toString('base64url')}`
}

export function secret(value: string): { reveal(): string } {
  return { reveal: () => value }
}

export function embedderFor(peer: Peer, key: string, options: Partial<OpenAiEmbedderOptions> = {}) {
  return createOpenAiEmbedder({
    url: peer.url,
    model: 'text-embedding-3-small',
    apiKey: secret(key),
    ...options,
  })
}

export function norm(vector: Float32Array): number {
  return Math.hypot(...vector)
}

/** Every way an error can reach a log or a person: none may carry the key or the input. */
export function expectSafe(error: unknown, ...forbidden: string[]): void {
  const views: string[] = []
  for (let current: unknown = error; current; current = (current as Error).cause) {
    const err = current as Error
    views.push(String(err), err.message, err.stack ?? '', JSON.stringify(err))
  }
  for (const view of views) for (const text of forbidden) expect(view).not.toContain(text)
}

export async function failure(promise: Promise<unknown>): Promise<EmbedderError> {
  const error = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  )
  expect(error).toBeInstanceOf(EmbedderError)
  return error as EmbedderError
}
