import { Hono, type Context } from 'hono'
import { protectedResourceMetadata } from '../../auth/guard/index.js'
import { randomUUID } from 'node:crypto'

import { protectedResourceMetadataUrls } from '../../auth/protocol/index.js'
import { jsonRpcErrorResponse } from './body.js'
import { createMcpEndpoint, type McpEndpoint } from './mcp-route.js'
import type { HttpAppOptions } from './options.js'
import { ipRateLimitKey } from './rate-limit-key.js'
import {
  foreignRequest,
  mcpCorsHeaders,
  originPolicy,
  publicCorsHeaders,
  securityHeaders,
} from './security.js'
import { hstsHeaderValue } from './tls.js'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import { UI_STYLESHEET, UI_STYLESHEET_PATH, uiStylesheetHeaders } from '../../ui/index.js'
import { presentedClientCertificate } from './client-certificate.js'
import { mountAccountPages } from './oauth-account.js'
import { mountAuthorizationServer, type NodeBindings as EngineBindings } from './oauth-edge.js'
import { mountInteractions } from './oauth-interactions.js'

/** Node's request and response, as @hono/node-server passes them in `c.env`. */
type NodeBindings = EngineBindings

export interface HttpApp {
  app: Hono<{ Bindings: NodeBindings }>
  mcp: McpEndpoint
}

/**
 * The route table of HTTP mode: the MCP endpoint, its protected resource metadata at both
 * well-known URLs (RFC 9728 §3.1), health, readiness and metrics. Every response carries the
 * security headers; only the metadata and the MCP endpoint answer CORS.
 */
export function createHttpApp(options: HttpAppOptions): HttpApp {
  const app = new Hono<{ Bindings: NodeBindings }>()
  const mcpPath = options.resource.pathname
  const policy = originPolicy({
    publicUrl: options.resource,
    loopback: options.loopback,
    port: options.port,
    allowedHosts: options.allowedHosts,
    allowedOrigins: options.allowedOrigins,
  })
  const scheme = options.resource.protocol === 'https:' ? 'https:' : 'http:'
  const mcp = createMcpEndpoint(options)
  const { metrics, rateLimits, audit } = options

  const clientIp = (c: Context<{ Bindings: NodeBindings }>): string => {
    if (options.trustProxy) {
      // One trusted proxy in front: the address it appended is the last entry.
      const forwarded = c.req.header('x-forwarded-for')?.split(',').at(-1)?.trim()
      if (forwarded) return forwarded
    }
    return c.env?.incoming?.socket?.remoteAddress ?? 'unknown'
  }
  const secure = (c: Context): boolean =>
    options.tls || (options.trustProxy && c.req.header('x-forwarded-proto') === 'https')

  app.use(async (c, next) => {
    const started = performance.now()
    await next()
    const seconds = (performance.now() - started) / 1000
    if (c.res === RESPONSE_ALREADY_SENT) {
      // The authorization server engine wrote the response itself (with these headers).
      const status = Number(c.get('engineStatus' as never) ?? 200)
      metrics?.observeRequest(c.req.routePath, c.req.method, status, seconds)
      return
    }
    const headers = securityHeaders({ hsts: secure(c) ? hstsHeaderValue : undefined })
    for (const [name, value] of Object.entries(headers)) {
      // Pages set their own, stricter-for-them policy (a stylesheet, form targets).
      if (!c.res.headers.has(name)) c.res.headers.set(name, value)
    }
    metrics?.observeRequest(c.req.routePath, c.req.method, c.res.status, seconds)
  })

  app.get('/healthz', (c) => c.json({ status: 'ok' }))
  app.get('/readyz', async (c) => {
    try {
      await withDeadline(options.storage.ping(), 2000)
      return c.json({ status: 'ready' })
    } catch {
      return c.json({ status: 'unavailable', reason: 'the database does not answer' }, 503)
    }
  })
  if (metrics !== undefined) {
    app.get('/metrics', async () => {
      return new Response(await metrics.render(), {
        headers: { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' },
      })
    })
  }

  const builtin = options.builtin
  if (builtin !== undefined) {
    const shared = {
      server: builtin.server,
      issuer: builtin.issuer,
      accounts: options.storage.accounts,
      artifacts: options.storage.artifacts,
      clientIp,
      rateLimits,
      metrics,
      audit,
    }
    app.get(
      UI_STYLESHEET_PATH,
      () => new Response(UI_STYLESHEET, { headers: uiStylesheetHeaders() }),
    )
    mountInteractions(app, { ...shared, consentRememberDays: builtin.consentRememberDays })
    mountAccountPages(app, shared)
    mountAuthorizationServer(app, {
      ...shared,
      // The engine writes its responses itself, past the middleware above: same headers here.
      baseHeaders: () =>
        securityHeaders({ hsts: scheme === 'https:' ? hstsHeaderValue : undefined }),
    })
  }

  if (options.auth !== undefined) {
    const document = protectedResourceMetadata({
      resource: options.resource,
      authorizationServers: options.auth.authorizationServers,
      scopesSupported: options.auth.scopesSupported,
      resourceName: options.auth.resourceName,
      ...(options.auth.documentationUrl === undefined
        ? {}
        : { documentationUrl: options.auth.documentationUrl }),
    })
    const urls = protectedResourceMetadataUrls(options.resource)
    const body = JSON.stringify(document)
    for (const url of new Set([urls.pathSuffixed, urls.root])) {
      const path = new URL(url).pathname
      app.options(path, () => new Response(null, { status: 204, headers: publicCorsHeaders(true) }))
      app.get(path, async (c) => {
        const decision = await rateLimits?.consumeIp(clientIp(c))
        if (decision !== undefined && !decision.allowed) {
          metrics?.rateLimited(path)
          audit.emit({
            type: 'http.rate_limited',
            bucket: 'ip',
            key: ipRateLimitKey(clientIp(c)),
            route: path,
            retryAfterSeconds: decision.retryAfterSeconds ?? decision.resetSeconds,
          })
          return c.json(
            { error: 'rate_limited', error_description: 'too many requests' },
            429,
            rateLimits?.headers(decision, 'ip'),
          )
        }
        return new Response(body, {
          headers: {
            'Content-Type': 'application/json',
            'Cache-Control': 'public, max-age=3600',
            ...publicCorsHeaders(false),
          },
        })
      })
    }
  }

  app.options(mcpPath, (c) => {
    const origin = c.req.header('origin') ?? null
    const cors = mcpCorsHeaders(origin, policy, true)
    const status = 'Access-Control-Allow-Origin' in cors ? 204 : 403
    return new Response(null, { status, headers: cors })
  })
  app.all(mcpPath, async (c) => {
    const ip = clientIp(c)
    const foreign = foreignRequest(c.req.raw.headers, policy, {
      trustProxy: options.trustProxy,
      scheme,
    })
    if (foreign !== undefined) {
      audit.emit({ type: 'http.origin_refused', header: foreign.header, value: foreign.value, ip })
      return jsonRpcErrorResponse({
        status: 403,
        code: -32000,
        message:
          foreign.header === 'host'
            ? 'Forbidden: unknown Host (add it to server.allowed_hosts if it is yours)'
            : 'Forbidden: Origin not allowed (add it to server.allowed_origins if it is yours)',
      })
    }
    const clientCertificate = presentedClientCertificate(c.env?.incoming?.socket)
    const response = await mcp(c.req.raw, ip, { clientCertificate })
    const cors = mcpCorsHeaders(c.req.header('origin') ?? null, policy, false)
    for (const [name, value] of Object.entries(cors)) response.headers.set(name, value)
    return response
  })

  app.notFound(() =>
    Response.json(
      { error: 'not_found', error_description: 'no such endpoint' },
      { status: 404, headers: { 'Cache-Control': 'no-store' } },
    ),
  )
  app.onError((error, c) => {
    const reference = randomUUID().slice(0, 8)
    options.logger.error(
      {
        err: error instanceof Error ? error.message : String(error),
        reference,
        route: c.req.routePath,
      },
      'http request failed',
    )
    const unavailable = /ECONNREFUSED|ETIMEDOUT|connection|database|closed/i.test(
      error instanceof Error ? error.message : '',
    )
    return jsonRpcErrorResponse({
      status: unavailable ? 503 : 500,
      code: -32603,
      message: unavailable
        ? `Service unavailable: the database does not answer (reference ${reference})`
        : `Internal error (reference ${reference})`,
    })
  })
  return { app, mcp }
}

async function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined
  try {
    return await Promise.race([
      work,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('deadline')), ms)
      }),
    ])
  } finally {
    clearTimeout(timer)
  }
}
