import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Context, Hono } from 'hono'
import { RESPONSE_ALREADY_SENT } from '@hono/node-server/utils/response'
import type { AuditSink } from '../../audit/index.js'
import { ROUTES, type BuiltinAuthorizationServer } from '../../auth/server/index.js'
import {
  BodyTooLarge,
  hashPresentedSecrets,
  readBody,
  replayRequest,
  responseDone,
} from './oauth-request.js'
import type { HttpMetrics, RateBucket, RateDecision, RateLimiting } from './options.js'
import { ipRateLimitKey } from './rate-limit-key.js'

/** Node's request and response, as @hono/node-server passes them in `c.env`. */
export interface NodeBindings {
  incoming: IncomingMessage
  outgoing: ServerResponse
}

export interface OAuthEdgeOptions {
  server: BuiltinAuthorizationServer
  /** The issuer URL (its path, if any, prefixes every route). */
  issuer: URL
  /** Headers every response carries (security headers, HSTS). */
  baseHeaders: () => Record<string, string>
  clientIp: (c: Context) => string
  rateLimits?: RateLimiting | undefined
  metrics?: HttpMetrics | undefined
  audit: AuditSink
}

/** The engine's POST routes where a client authenticates, so a presented secret is hashed first. */
const CLIENT_AUTH_ROUTES: ReadonlySet<string> = new Set([
  ROUTES.token,
  ROUTES.revocation,
  ROUTES.introspection,
  ROUTES.pushed_authorization_request,
])

/**
 * CSP of the engine's own responses: JSON, and an error page that loads only our stylesheet and
 * the pages' empty `data:` favicon (without `img-src data:` Chromium reports a CSP violation).
 */
const ENGINE_CSP =
  "default-src 'none'; style-src 'self'; img-src data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"

/**
 * Answers 429 in the OAuth error format when a bucket is empty; undefined when the request may go on.
 */
export async function limited(
  options: Pick<OAuthEdgeOptions, 'rateLimits' | 'metrics' | 'audit'>,
  bucket: Extract<RateBucket, 'oauth' | 'registration'>,
  ip: string,
  route: string,
): Promise<Response | undefined> {
  const limits = options.rateLimits
  const consume = bucket === 'oauth' ? limits?.consumeOauth : limits?.consumeRegistration
  if (limits === undefined || consume === undefined) return undefined
  const decision: RateDecision = await consume.call(limits, ip)
  if (decision.allowed) return undefined
  options.metrics?.rateLimited(route)
  options.audit.emit({
    type: 'http.rate_limited',
    bucket,
    key: ipRateLimitKey(ip),
    route,
    retryAfterSeconds: decision.retryAfterSeconds ?? decision.resetSeconds,
  })
  return Response.json(
    {
      error: 'slow_down',
      error_description: 'too many requests from this address; try again later',
    },
    { status: 429, headers: { ...limits.headers(decision, bucket), 'Cache-Control': 'no-store' } },
  )
}

/**
 * Mounts oidc-provider (its Node handler) in the Hono app: `/oauth/*` and the metadata at
 * `/.well-known/oauth-authorization-server` (RFC 8414, path-aware for an issuer with a path) and
 * `/.well-known/openid-configuration` (both OIDC placements). The engine sees the issuer's Host
 * and scheme whatever the request carried, its URLs are the issuer's, and a client secret is
 * hashed before it reaches it. Interaction pages are routed separately (oauth-pages.ts).
 */
export function mountAuthorizationServer(
  app: Hono<{ Bindings: NodeBindings }>,
  options: OAuthEdgeOptions,
): void {
  const { issuer } = options
  const prefix = issuer.pathname.replace(/\/+$/, '')

  const toEngine = async (c: Context<{ Bindings: NodeBindings }>, enginePath: string) => {
    const incoming = c.env.incoming
    const outgoing = c.env.outgoing
    const ip = options.clientIp(c)
    const method = incoming.method ?? 'GET'
    if (method === 'POST' && (enginePath === ROUTES.token || enginePath === ROUTES.registration)) {
      const refused = await limited(options, 'oauth', ip, enginePath)
      if (refused !== undefined) return refused
    }
    if (method === 'POST' && enginePath === ROUTES.registration) {
      const refused = await limited(options, 'registration', ip, enginePath)
      if (refused !== undefined) return refused
    }
    if (method === 'GET' && enginePath === ROUTES.authorization) {
      const refused = await limited(options, 'oauth', ip, enginePath)
      if (refused !== undefined) return refused
    }
    let req: IncomingMessage = incoming
    const rewrite =
      (method === 'POST' && CLIENT_AUTH_ROUTES.has(enginePath)) ||
      (method === 'PUT' && enginePath.startsWith(`${ROUTES.registration}/`))
    if (rewrite) {
      let body: Buffer
      try {
        body = await readBody(incoming)
      } catch (error) {
        const tooLarge = error instanceof BodyTooLarge
        return Response.json(
          {
            error: 'invalid_request',
            error_description: tooLarge
              ? 'the request body is too large'
              : 'the request body could not be read',
          },
          { status: tooLarge ? 413 : 400, headers: { 'Cache-Control': 'no-store' } },
        )
      }
      const hashed = hashPresentedSecrets(
        incoming.headers.authorization,
        incoming.headers['content-type'],
        body,
      )
      req = replayRequest(incoming, hashed.body)
      if (hashed.authorization !== undefined) req.headers.authorization = hashed.authorization
    }
    const search = new URL(c.req.url).search
    req.url = `${prefix}${enginePath}${search}`
    ;(req as IncomingMessage & { originalUrl?: string }).originalUrl = req.url
    req.headers.host = issuer.host
    req.headers['x-forwarded-proto'] = issuer.protocol.slice(0, -1)
    req.headers['x-forwarded-for'] = ip
    delete req.headers['x-forwarded-host']
    delete req.headers.forwarded
    for (const [name, value] of Object.entries(options.baseHeaders()))
      outgoing.setHeader(name, value)
    outgoing.setHeader('Content-Security-Policy', ENGINE_CSP)
    const done = responseDone(outgoing)
    options.server.handle(stripPrefix(req, prefix), outgoing)
    await done
    c.set('engineStatus' as never, outgoing.statusCode as never)
    return RESPONSE_ALREADY_SENT
  }

  app.all(`${prefix}/oauth/*`, (c) => {
    const path = new URL(c.req.url).pathname.slice(prefix.length)
    return toEngine(c, path)
  })
  // RFC 8414 §3.1: the well-known segment goes between host and the issuer's path.
  for (const path of [
    `/.well-known/oauth-authorization-server${prefix}`,
    `/.well-known/openid-configuration${prefix}`,
    ...(prefix === '' ? [] : [`${prefix}/.well-known/openid-configuration`]),
  ]) {
    const enginePath = path.includes('oauth-authorization-server')
      ? '/.well-known/oauth-authorization-server'
      : '/.well-known/openid-configuration'
    app.on(['GET', 'OPTIONS'], path, (c) => toEngine(c, enginePath))
  }
}

/**
 * The engine is constructed with the issuer (whose path is its mount path) and matches routes on
 * the URL without it, telling the mount from `originalUrl` (as under Express or Koa mounting).
 */
function stripPrefix(req: IncomingMessage, prefix: string): IncomingMessage {
  if (prefix === '') return req
  const url = req.url ?? '/'
  if (url.startsWith(prefix)) req.url = url.slice(prefix.length) || '/'
  return req
}
