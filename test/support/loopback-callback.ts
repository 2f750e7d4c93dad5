import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'

/**
 * A native app's loopback redirect listener (RFC 8252 §7.3) for browser tests: `GET /callback`
 * on 127.0.0.1 records the query and answers a plain "done" page; anything else is a 404.
 */
export interface LoopbackCallback {
  /** `http://127.0.0.1:<port>/callback`. */
  redirectUri: string
  /** Every callback query received, oldest first. */
  received: URLSearchParams[]
  /** Resolves with the next callback query (or the latest one not yet awaited). */
  next(timeoutMs?: number): Promise<URLSearchParams>
  close(): Promise<void>
}

export async function startLoopbackCallback(): Promise<LoopbackCallback> {
  const received: URLSearchParams[] = []
  let taken = 0
  const waiters: Array<(query: URLSearchParams) => void> = []
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://127.0.0.1')
    if (request.method !== 'GET' || url.pathname !== '/callback') {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found')
      return
    }
    received.push(url.searchParams)
    response
      .writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' })
      .end('<!doctype html><title>done</title><p>done</p>')
    const waiter = waiters.shift()
    if (waiter !== undefined) {
      taken++
      waiter(url.searchParams)
    }
  })
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as AddressInfo
  return {
    redirectUri: `http://127.0.0.1:${port}/callback`,
    received,
    next(timeoutMs = 10_000) {
      if (taken < received.length) return Promise.resolve(received[taken++]!)
      return new Promise((resolve, reject) => {
        const waiter = (query: URLSearchParams) => {
          clearTimeout(timer)
          resolve(query)
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(new Error(`no callback at the loopback listener within ${timeoutMs} ms`))
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections()
        server.close(() => resolve())
      }),
  }
}
