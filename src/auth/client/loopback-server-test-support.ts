import { once } from 'node:events'
import { createServer } from 'node:http'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'

/** How a route answers. */
export interface Answer {
  status?: number
  headers?: Record<string, string | string[]>
  json?: unknown
  body?: string | Buffer
  /** Waits this long before answering (for timeouts); the wait ends when the server closes. */
  delayMs?: number
  /** Sends the headers and this first chunk at once, then `body` (after `delayMs`, if set). */
  firstChunk?: string
}

export type Route = Answer | ((request: IncomingMessage) => Answer)

/** One request the server saw. */
export interface SeenRequest {
  method: string
  path: string
  authorization: string | undefined
  body: string
}

export const json = (document: unknown, extra: Answer = {}): Answer => ({
  json: document,
  ...extra,
})

/** 401 with the given `WWW-Authenticate` lines (several lines are several headers). */
export const challenge = (...lines: string[]): Answer => ({
  status: 401,
  headers: lines.length === 0 ? {} : { 'www-authenticate': lines },
})

function send(res: ServerResponse, answer: Answer, closing: AbortSignal) {
  const body =
    answer.json === undefined ? (answer.body ?? '') : Buffer.from(JSON.stringify(answer.json))
  const headers = {
    ...(answer.json === undefined ? {} : { 'content-type': 'application/json' }),
    ...answer.headers,
  }
  const finish = () => {
    if (!res.destroyed) res.end(body)
  }
  res.writeHead(answer.status ?? 200, headers)
  if (answer.firstChunk !== undefined) res.write(answer.firstChunk)
  if (answer.delayMs === undefined) return finish()
  const timer = setTimeout(finish, answer.delayMs)
  closing.addEventListener('abort', () => clearTimeout(timer))
}

/**
 * An HTTP server on 127.0.0.1, port 0, answering from a route table keyed by path (the query is
 * ignored), 404 JSON otherwise. Records every request in order.
 */
export async function routeServer(routes: (origin: string) => Record<string, Route>) {
  let table: Record<string, Route> = {}
  const seen: SeenRequest[] = []
  const closing = new AbortController()
  const server = createServer((req, res) => {
    const chunks: Buffer[] = []
    req.on('data', (c: Buffer) => chunks.push(c))
    req.on('end', () => {
      const path = new URL(req.url ?? '/', 'http://x').pathname
      const authorization = req.headers.authorization
      seen.push({
        method: req.method ?? '',
        path,
        authorization,
        body: String(Buffer.concat(chunks)),
      })
      const route = table[path]
      const answer =
        route === undefined
          ? { status: 404, json: { error: 'not_found' } }
          : typeof route === 'function'
            ? route(req)
            : route
      send(res, answer, closing.signal)
    })
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  const origin = `http://127.0.0.1:${port}`
  table = routes(origin)
  return {
    origin,
    port,
    requests: seen,
    paths: () => seen.map((r) => r.path),
    close: async () => {
      closing.abort()
      server.closeAllConnections()
      await new Promise<void>((done) => server.close(() => done()))
    },
  }
}

export type RouteServer = Awaited<ReturnType<typeof routeServer>>
