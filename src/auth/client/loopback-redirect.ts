/**
 * The loopback redirect listener of a native app (RFC 8252 §7.3, §8.3): `http://127.0.0.1:<port>/
 * callback`, bound to 127.0.0.1 only, on a random port (or a preferred one, when a stored
 * registration used it). It accepts exactly one callback: a GET of `/callback` whose Host is the
 * listener itself (no DNS rebinding) and whose `state` is this login's. Other requests are
 * answered and discarded (STATE-1); the accepted one gets a small static page, and the listener
 * stops. Pages have no script, no style, no link, and a CSP of `default-src 'none'`.
 */
import { once } from 'node:events'
import { createServer } from 'node:http'
import type { RequestListener, ServerResponse } from 'node:http'
import type { AddressInfo } from 'node:net'
import { AuthorizationError } from './authorize-errors.js'
import { callbackMatchesState } from './authorize.js'

const CALLBACK_PATH = '/callback'

const HEADERS = {
  'content-type': 'text/html; charset=utf-8',
  'content-security-policy':
    "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
  connection: 'close',
}

const page = (title: string, text: string) =>
  `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>mcp-pa: ${title}</title></head><body><h1>${title}</h1><p>${text}</p></body></html>`

const PAGES = {
  done: page(
    'Signed in',
    'mcp-pa received the answer. You can close this tab and return to the terminal.',
  ),
  failed: page(
    'Sign-in failed',
    'mcp-pa could not complete the sign-in. You can close this tab; the terminal says why.',
  ),
  other: page(
    'Not this sign-in',
    'This is not the sign-in mcp-pa is waiting for. You can close this tab.',
  ),
}

function answer(res: ServerResponse, status: number, body: string): void {
  res.writeHead(status, HEADERS).end(body)
}

export interface LoopbackRedirectOptions {
  /** Listen on this port. Taken: a random port instead, unless `strictPort`. */
  port?: number
  /** Fail instead of falling back to a random port (a pre-registered redirect URI's port). */
  strictPort?: boolean
}

export interface LoopbackRedirect {
  /** `http://127.0.0.1:<port>/callback`. */
  readonly redirectUri: string
  readonly port: number
  /**
   * Waits for the callback with this `state` and hands its query to `read`: what `read` returns
   * is the result; what it throws is the error (the browser gets the failure page). Rejects with
   * `callback_timeout` after `timeoutMs`, or when the listener is closed first. One wait only.
   */
  waitForCallback<T>(
    state: string,
    read: (params: URLSearchParams) => T,
    timeoutMs: number,
  ): Promise<T>
  /** Stops listening and drops open connections; idempotent. */
  close(): Promise<void>
}

interface Waiter {
  state: string
  accept(params: URLSearchParams): boolean
  cancel(error: AuthorizationError): void
}

async function listen(server: ReturnType<typeof createServer>, port: number): Promise<void> {
  server.listen(port, '127.0.0.1')
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => {
      throw error
    }),
  ])
}

/** Starts the listener on 127.0.0.1. */
export async function startLoopbackRedirect(
  options: LoopbackRedirectOptions = {},
): Promise<LoopbackRedirect> {
  let waiter: Waiter | undefined
  let settled = false
  let server: ReturnType<typeof createServer>
  const handle: RequestListener = (req, res) => {
    const port = (server.address() as AddressInfo | null)?.port
    const url = new URL(req.url ?? '/', 'http://127.0.0.1')
    if (req.headers.host !== `127.0.0.1:${port}`) return answer(res, 421, PAGES.other)
    if (url.pathname !== CALLBACK_PATH) return answer(res, 404, PAGES.other)
    if (req.method !== 'GET') return answer(res, 405, PAGES.other)
    if (settled || waiter === undefined || !callbackMatchesState(url.searchParams, waiter.state)) {
      return answer(res, 400, PAGES.other)
    }
    settled = true
    const ok = waiter.accept(url.searchParams)
    answer(res, ok ? 200 : 400, ok ? PAGES.done : PAGES.failed)
    server.close()
  }
  server = createServer(handle)
  const wanted = options.port ?? 0
  try {
    await listen(server, wanted)
  } catch (error) {
    if (wanted === 0 || options.strictPort === true) {
      throw new AuthorizationError(
        'loopback_unavailable',
        `cannot listen for the login callback on 127.0.0.1:${wanted} (${(error as { code?: string }).code ?? 'error'}); free the port or choose another`,
        { cause: error },
      )
    }
    server = createServer(handle)
    await listen(server, 0)
  }
  const { port } = server.address() as AddressInfo
  let closed = false
  return {
    redirectUri: `http://127.0.0.1:${port}${CALLBACK_PATH}`,
    port,
    waitForCallback<T>(state: string, read: (params: URLSearchParams) => T, timeoutMs: number) {
      if (waiter !== undefined || closed) throw new Error('the loopback listener waits only once')
      return new Promise<T>((resolve, reject) => {
        const timer = setTimeout(() => {
          settled = true
          waiter?.cancel(
            new AuthorizationError(
              'callback_timeout',
              `no answer from the authorization server reached mcp-pa within ${timeoutMs < 1000 ? `${timeoutMs} ms` : `${Math.round(timeoutMs / 1000)} s`}; log in again (and finish the sign-in in the browser)`,
            ),
          )
        }, timeoutMs)
        waiter = {
          state,
          accept(params) {
            clearTimeout(timer)
            try {
              resolve(read(params))
              return true
            } catch (error) {
              reject(error as Error)
              return false
            }
          },
          cancel(error) {
            clearTimeout(timer)
            reject(error)
          },
        }
      })
    },
    async close() {
      if (closed) return
      closed = true
      if (!settled) {
        settled = true
        waiter?.cancel(
          new AuthorizationError(
            'callback_timeout',
            'the login stopped before its callback arrived',
          ),
        )
      }
      const stopped = new Promise<void>((done) => server.close(() => done()))
      server.closeAllConnections()
      await stopped
    },
  }
}
