import { IncomingMessage, type ServerResponse } from 'node:http'
import { hashClientSecret } from '../../auth/server/index.js'

/** The engine's own body limit: anything larger it refuses anyway. */
export const MAX_OAUTH_BODY_BYTES = 56 * 1024

export class BodyTooLarge extends Error {
  override readonly name = 'BodyTooLarge'
}

/** Reads a request body up to `limit` bytes (BodyTooLarge past it). */
export async function readBody(
  req: IncomingMessage,
  limit = MAX_OAUTH_BODY_BYTES,
): Promise<Buffer> {
  const declared = Number(req.headers['content-length'] ?? '0')
  if (declared > limit) throw new BodyTooLarge(`request body over ${limit} bytes`)
  // Events rather than an async iterator: this runs on every token request, and the iterator's
  // promise per chunk cost more than the rest of the read.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let received = 0
    const done = (error?: Error) => {
      req.off('data', onData)
      req.off('end', onEnd)
      req.off('error', onError)
      req.off('close', onClose)
      if (error === undefined) resolve(Buffer.concat(chunks, received))
      else {
        // Stop reading without destroying the socket: the caller answers 413 on it.
        req.pause()
        reject(error)
      }
    }
    const onData = (chunk: Buffer) => {
      received += chunk.length
      if (received > limit) done(new BodyTooLarge(`request body over ${limit} bytes`))
      else chunks.push(chunk)
    }
    const onEnd = () => done()
    const onError = (error: Error) => done(error)
    const onClose = () => {
      if (!req.complete) done(new Error('the request was aborted'))
    }
    req.on('data', onData)
    req.on('end', onEnd)
    req.on('error', onError)
    req.on('close', onClose)
  })
}

/**
 * A fresh request carrying `body`, for the engine to read as if it came off the socket: the
 * original's stream was consumed to rewrite the client secret. Same socket, method, URL and
 * headers (Content-Length set to the new body's).
 */
export function replayRequest(original: IncomingMessage, body: Buffer): IncomingMessage {
  const replay = new IncomingMessage(original.socket)
  replay.method = original.method ?? 'POST'
  replay.url = original.url ?? '/'
  replay.httpVersion = original.httpVersion
  replay.httpVersionMajor = original.httpVersionMajor
  replay.httpVersionMinor = original.httpVersionMinor
  replay.headers = { ...original.headers, 'content-length': String(body.length) }
  delete replay.headers['transfer-encoding']
  replay.rawHeaders = []
  replay.push(body)
  replay.push(null)
  // Node marks a message `complete` when its parser has read all of it; without this, the
  // replay's auto-destroy after 'end' counts as an abort and destroys the shared socket.
  replay.complete = true
  return replay
}

/**
 * Client secrets are stored hashed (auth/server/client-secrets.ts): the presented secret is
 * replaced by its hash in `Authorization: Basic` and in a form body's `client_secret`, so the
 * engine's constant-time compare runs over two hashes and never sees a stored secret in clear.
 * Returns the rewritten Authorization header and body (unchanged when no secret is present).
 */
export function hashPresentedSecrets(
  authorization: string | undefined,
  contentType: string | undefined,
  body: Buffer,
): { authorization: string | undefined; body: Buffer } {
  let header = authorization
  const basic = /^basic\s+([A-Za-z0-9+/=_-]+)\s*$/i.exec(authorization ?? '')
  if (basic?.[1] !== undefined) {
    const decoded = Buffer.from(basic[1], 'base64').toString('utf8')
    const colon = decoded.indexOf(':')
    if (colon > 0) {
      const id = decoded.slice(0, colon)
      const presented = formDecode(decoded.slice(colon + 1))
      if (presented !== undefined) {
        const hashed = `${id}:${encodeURIComponent(hashClientSecret(presented))}`
        header = `Basic ${Buffer.from(hashed, 'utf8').toString('base64')}`
      }
    }
  }
  const type = (contentType ?? '').split(';')[0]?.trim().toLowerCase()
  // Always parsed: a name test on the raw body would miss a percent-encoded `client%5Fsecret`,
  // which the engine decodes and would then compare unhashed (a stored hash passed as a secret).
  if (type === 'application/x-www-form-urlencoded') {
    const form = new URLSearchParams(body.toString('utf8'))
    const secrets = form.getAll('client_secret')
    if (secrets.length === 1 && secrets[0] !== undefined) {
      form.set('client_secret', hashClientSecret(secrets[0]))
      return { authorization: header, body: Buffer.from(form.toString(), 'utf8') }
    }
  }
  if (type === 'application/json') {
    try {
      const json = JSON.parse(body.toString('utf8')) as Record<string, unknown>
      if (json !== null && typeof json === 'object' && typeof json.client_secret === 'string') {
        json.client_secret = hashClientSecret(json.client_secret)
        return { authorization: header, body: Buffer.from(JSON.stringify(json), 'utf8') }
      }
    } catch {
      // Not JSON: the engine answers invalid_request.
    }
  }
  return { authorization: header, body }
}

/** application/x-www-form-urlencoded decoding of one Basic credential part (RFC 6749 §2.3.1). */
function formDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value.replace(/\+/g, ' '))
  } catch {
    return undefined
  }
}

/** Resolves when the engine has finished the response (or the client went away). */
export function responseDone(res: ServerResponse): Promise<void> {
  if (res.writableFinished || res.destroyed) return Promise.resolve()
  return new Promise((resolve) => {
    res.once('finish', () => resolve())
    res.once('close', () => resolve())
  })
}
