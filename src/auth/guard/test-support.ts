import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingHttpHeaders } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JSONWebKeySet, JWTPayload } from 'jose'
import { expect } from 'vitest'

/** A key pair generated at test time; nothing is ever written to disk. */
export interface TestKey {
  kid: string
  alg: 'ES256' | 'RS256' | 'EdDSA'
  privateKey: CryptoKey
  publicKey: CryptoKey
}

export async function testKey(kid: string, alg: TestKey['alg'] = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, publicKey }
}

export async function jwksOf(...keys: TestKey[]): Promise<JSONWebKeySet> {
  return {
    keys: await Promise.all(
      keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: k.alg })),
    ),
  }
}

export interface MintOptions {
  typ?: string
  kid?: string
  /** Claims set to `undefined` are left out. */
  claims?: Record<string, unknown>
}

export async function mint(key: TestKey, base: JWTPayload, options: MintOptions = {}) {
  const payload = Object.fromEntries(
    Object.entries({ ...base, ...options.claims }).filter(([, v]) => v !== undefined),
  )
  const header = { alg: key.alg, kid: options.kid ?? key.kid, typ: options.typ ?? 'at+jwt' }
  return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey)
}

/** A JWKS endpoint on 127.0.0.1 port 0 that counts its requests. */
export async function jwksServer(jwks: () => JSONWebKeySet) {
  let requests = 0
  const server = createServer((_req, res) => {
    requests += 1
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(jwks()))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/jwks`),
    requests: () => requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}

/** One request a loopback peer received. */
export interface PeerRequest {
  method: string
  /** Path and query, as sent. */
  path: string
  headers: IncomingHttpHeaders
  body: string
}

/** How a loopback peer answers; `hang` never answers, `chunked` sends no Content-Length. */
export interface PeerAnswer {
  status?: number
  json?: unknown
  text?: string
  /** Raw bytes, sent as they are. */
  raw?: Uint8Array
  headers?: Record<string, string>
  hang?: boolean
  chunked?: boolean
}

/** A scripted HTTP peer on 127.0.0.1 port 0 that records every request it receives. */
export async function loopbackPeer(respond: (request: PeerRequest) => PeerAnswer) {
  const requests: PeerRequest[] = []
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (chunk: Buffer) => chunks.push(chunk))
    req.on('end', () => {
      const request = {
        method: req.method ?? '',
        path: req.url ?? '',
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      }
      requests.push(request)
      const answer = respond(request)
      if (answer.hang === true) return
      const text = answer.text ?? (answer.json === undefined ? '' : JSON.stringify(answer.json))
      const body = Buffer.from(answer.raw ?? Buffer.from(text, 'utf8'))
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        ...answer.headers,
      }
      if (answer.chunked !== true) headers['content-length'] = String(body.byteLength)
      res.writeHead(answer.status ?? 200, headers)
      const half = Math.floor(body.byteLength / 2)
      res.write(body.subarray(0, half))
      res.end(body.subarray(half))
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  return {
    origin,
    url: (path: string) => new URL(path, origin),
    requests,
    close: () => {
      server.closeAllConnections()
      return new Promise<void>((done) => server.close(() => done()))
    },
  }
}

/**
 * An RFC 7662 introspection endpoint at `/introspect`: `answer` gets the token from the form
 * body; a `PeerAnswer` (with `status`, `json`, `text`, `raw` or `hang`) is sent as scripted, any
 * other object as the JSON answer.
 */
export async function introspectionEndpoint(
  answer: (token: string, request: PeerRequest) => Record<string, unknown> | PeerAnswer,
) {
  const peer = await loopbackPeer((request) => {
    const result = answer(new URLSearchParams(request.body).get('token') ?? '', request)
    const scripted = ['status', 'json', 'text', 'raw', 'hang'].some((key) => key in result)
    return scripted ? (result as PeerAnswer) : { json: result }
  })
  return { ...peer, endpoint: peer.url('/introspect'), count: () => peer.requests.length }
}

/**
 * A metadata server: `documents(origin)` maps paths to JSON documents (or to a `PeerAnswer`
 * under a `peer` key); other paths get 404. `paths()` lists the paths asked, in order.
 */
export async function metadataServer(
  documents: (origin: string) => Record<string, Record<string, unknown> | { peer: PeerAnswer }>,
) {
  let table: ReturnType<typeof documents> = {}
  const peer = await loopbackPeer((request) => {
    const entry = table[request.path]
    if (entry === undefined) return { status: 404, json: { error: 'not_found' } }
    return 'peer' in entry ? (entry.peer as PeerAnswer) : { json: entry }
  })
  table = documents(peer.origin)
  return { ...peer, paths: () => peer.requests.map((r) => r.path) }
}

/**
 * Collects every error a test provokes and asserts that none of them shows any of the recorded
 * secrets (tokens, client secrets) in its message, description, detail, stack or causes (TOK-7).
 */
export function leakWatch() {
  const secrets: string[] = []
  const errors: unknown[] = []
  const texts = (error: unknown): string[] => {
    if (!(error instanceof Error)) return [String(error)]
    const e = error as Error & { description?: unknown; detail?: unknown }
    const own = [e.message, String(e), e.stack ?? '', String(e.description), String(e.detail)]
    return [...own, JSON.stringify(e), ...(e.cause === undefined ? [] : texts(e.cause))]
  }
  return {
    /** Records `value` as a secret and returns it. */
    secret(value: string): string {
      secrets.push(value)
      return value
    },
    /** The rejection of `promise` (it must reject), recorded for {@link assertNoLeak}. */
    async rejection(promise: Promise<unknown>): Promise<unknown> {
      const error = await promise.then(
        () => new Error('expected a rejection'),
        (e: unknown) => e,
      )
      errors.push(error)
      return error
    },
    count: () => errors.length,
    assertNoLeak(): void {
      for (const error of errors) {
        const text = texts(error).join('\n')
        for (const secret of secrets) expect(text).not.toContain(secret)
      }
    },
  }
}
