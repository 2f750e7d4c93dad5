import type { Server } from 'node:https'
import { resourceUri } from './resource-uri.js'
import { createHttpApp } from './app.js'
import { listen, type Listener } from './listen.js'
import type { BuiltinMount, HttpAppOptions, HttpAuthOptions } from './options.js'
import { watchTlsReload, type SignalSource, type TlsMaterial } from './tls.js'

export interface HttpServerOptions extends Omit<
  HttpAppOptions,
  'resource' | 'port' | 'tls' | 'loopback'
> {
  host: string
  port: number
  loopback: boolean
  mcpPath: string
  /** The origin clients use (behind a proxy); the listener's own URL otherwise. */
  publicUrl?: URL | undefined
  tls?: { material: TlsMaterial; reload: () => Promise<TlsMaterial> } | undefined
  maxHeaderBytes: number
  shutdownTimeoutMs: number
  /** Released after the listener has drained (rate limiter connections, …). */
  closers?: (() => Promise<void>)[]
  /** Where SIGHUP comes from (the process by default; tests pass their own). */
  signals?: SignalSource
  /**
   * Builds the OAuth side once the canonical resource URI is known (after listening, so a port
   * of 0 has resolved): the built-in authorization server needs it for its issuer and audience.
   */
  prepareAuth?: (resource: URL) => Promise<{ auth: HttpAuthOptions; builtin?: BuiltinMount }>
}

export interface RunningHttpServer {
  /** The listener's own URL. */
  url: URL
  /** The canonical URI of the MCP endpoint (the resource and default token audience). */
  resource: URL
  listener: Listener
  /** Drains, then closes the MCP handler and what `closers` hold. Idempotent. */
  stop(): Promise<{ drained: boolean; cut: number }>
}

/**
 * HTTP mode's server: listens first (so a port of 0 resolves), then builds the app for the
 * resulting canonical resource URI; reloads the TLS certificate on SIGHUP.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<RunningHttpServer> {
  const current: { fetch?: (request: Request, env: unknown) => Response | Promise<Response> } = {}
  const listener = await listen(
    (request, env) => current.fetch?.(request, env) ?? new Response('starting', { status: 503 }),
    {
      host: options.host,
      port: options.port,
      tls: options.tls?.material,
      maxHeaderBytes: options.maxHeaderBytes,
      requestTimeoutMs: options.limits.requestTimeoutMs,
      shutdownTimeoutMs: options.shutdownTimeoutMs,
    },
  )
  const port = listener.url.port === '' ? options.port : Number(listener.url.port)
  const resource = resourceUri({ ...options, port, tls: options.tls !== undefined })
  let prepared: { auth: HttpAuthOptions; builtin?: BuiltinMount } | undefined
  try {
    prepared = await options.prepareAuth?.(resource)
  } catch (error) {
    await listener.stop()
    throw error
  }
  const { app, mcp } = createHttpApp({
    ...options,
    ...(prepared === undefined ? {} : { auth: prepared.auth, builtin: prepared.builtin }),
    resource,
    port,
    tls: options.tls !== undefined,
  })
  current.fetch = (request, env) => app.fetch(request, env as never)

  const unwatch =
    options.tls === undefined
      ? () => undefined
      : watchTlsReload({
          server: listener.server as unknown as Server,
          load: options.tls.reload,
          onReload: (material) => {
            options.logger.info(
              { subject: material.leaf.subject, validTo: material.leaf.validTo },
              'TLS certificate reloaded',
            )
            for (const warning of material.warnings) options.logger.warn(warning)
          },
          onError: (error) =>
            options.logger.error(
              { err: error instanceof Error ? error.message : String(error) },
              'TLS certificate reload failed; still serving the previous certificate',
            ),
          ...(options.signals === undefined ? {} : { process: options.signals }),
        })

  let stopping: Promise<{ drained: boolean; cut: number }> | undefined
  const stop = () => {
    stopping ??= (async () => {
      unwatch()
      const result = await listener.stop()
      await mcp.close().catch(() => undefined)
      for (const close of options.closers ?? []) await close().catch(() => undefined)
      return result
    })()
    return stopping
  }
  return { url: listener.url, resource, listener, stop }
}
