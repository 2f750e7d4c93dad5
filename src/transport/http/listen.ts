import { once } from 'node:events'
import { createServer as createHttpServer, type Server } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import type { AddressInfo } from 'node:net'
import { getRequestListener } from '@hono/node-server'
import { createTlsServerOptions, type TlsMaterial } from './tls.js'

export interface ListenOptions {
  host: string
  port: number
  /** HTTPS when present (TLS ≥ 1.2); plain HTTP otherwise (loopback or behind a proxy). */
  tls?: TlsMaterial | undefined
  maxHeaderBytes: number
  /** Time allowed to receive a whole request (headers and body). */
  requestTimeoutMs: number
  /** How long in-flight requests may finish on stop before connections are cut. */
  shutdownTimeoutMs: number
}

export interface Listener {
  server: Server
  /** The URL the listener answers on (the port resolved when 0 was asked). */
  url: URL
  /** Requests being served right now. */
  inFlight(): number
  /**
   * Stops accepting connections, lets in-flight requests finish for up to the shutdown timeout,
   * then closes what is left. Idempotent.
   */
  stop(): Promise<{ drained: boolean; cut: number }>
}

/** A fetch-shaped app; `env` carries Node's `incoming` request (for the peer address). */
export type FetchApp = (request: Request, env: unknown) => Response | Promise<Response>

/** Starts the node:http(s) server for a fetch-shaped app, with the header, time and drain limits. */
export async function listen(fetch: FetchApp, options: ListenOptions): Promise<Listener> {
  let inFlight = 0
  let drainedWaiters: (() => void)[] = []
  const listener = getRequestListener(fetch)
  const handle: Parameters<typeof createHttpServer>[1] = (req, res) => {
    inFlight += 1
    res.once('close', () => {
      inFlight -= 1
      if (inFlight === 0) for (const waiter of drainedWaiters.splice(0)) waiter()
    })
    void listener(req, res)
  }
  const common = {
    maxHeaderSize: options.maxHeaderBytes,
    requestTimeout: options.requestTimeoutMs,
    headersTimeout: Math.min(options.requestTimeoutMs, 20_000),
    keepAliveTimeout: 5_000,
  }
  const server: Server =
    options.tls === undefined
      ? createHttpServer(common, handle)
      : (createHttpsServer(
          { ...common, ...createTlsServerOptions(options.tls) },
          handle,
        ) as unknown as Server)
  server.listen(options.port, options.host)
  await Promise.race([
    once(server, 'listening'),
    once(server, 'error').then(([error]) => Promise.reject(error as Error)),
  ])
  const address = server.address() as AddressInfo
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address
  const url = new URL(`${options.tls === undefined ? 'http' : 'https'}://${host}:${address.port}`)

  let stopping: Promise<{ drained: boolean; cut: number }> | undefined
  const stop = () => {
    stopping ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()))
      server.closeIdleConnections()
      let drained = inFlight === 0
      if (!drained) {
        drained = await new Promise<boolean>((resolve) => {
          const timer = setTimeout(() => resolve(false), options.shutdownTimeoutMs)
          drainedWaiters.push(() => {
            clearTimeout(timer)
            resolve(true)
          })
        })
      }
      const cut = inFlight
      server.closeAllConnections()
      await closed
      drainedWaiters = []
      return { drained, cut }
    })()
    return stopping
  }
  return { server, url, inFlight: () => inFlight, stop }
}
