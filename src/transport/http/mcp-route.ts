import { createMcpHandler, type AuthInfo } from '@modelcontextprotocol/server'
import {
  authenticate,
  insufficientScopeResponse,
  type ConnectionInfo,
  type VerifiedToken,
} from '../../auth/guard/index.js'
import { protectedResourceMetadataUrls } from '../../auth/protocol/index.js'
import { LOCAL_USER_ID } from '../../domain/index.js'
import { createAssistantServer, type ToolContext } from '../../tools/index.js'
import { jsonRpcErrorResponse, readJsonRpcBody } from './body.js'
import type { HttpAppOptions, RateDecision } from './options.js'
import { ipRateLimitKey } from './rate-limit-key.js'
import { missingScopesFor } from './scopes.js'
import { createUserDirectory } from './users.js'

/**
 * The MCP endpoint as one fetch-shaped function: guard, limits, scopes, then the SDK handler.
 * `connection` carries the TLS client certificate, for certificate-bound tokens.
 */
export type McpEndpoint = ((
  request: Request,
  ip: string,
  connection?: ConnectionInfo,
) => Promise<Response>) & {
  close(): Promise<void>
}

interface RequestIdentity {
  userId: string
  scopes: ReadonlySet<string> | 'all'
}

/** Where the caller's identity rides through the SDK to the per-request server factory. */
const IDENTITY = 'mcp-pa/identity'

export function createMcpEndpoint(options: HttpAppOptions): McpEndpoint {
  const { auth, limits, audit, rateLimits, metrics } = options
  const resourceMetadataUrl = protectedResourceMetadataUrls(options.resource).pathSuffixed
  const route = options.resource.pathname
  const challenge = { resourceMetadataUrl, scope: auth?.scopesSupported ?? [] }
  const users = createUserDirectory(options.storage.users)
  const clock = () => new Date()

  const contextFor = (identity: RequestIdentity): ToolContext => ({
    userId: identity.userId,
    scopes: identity.scopes,
    memories: options.storage.memories,
    tasks: options.storage.tasks,
    audit,
    clock,
    embedder: options.embedder,
  })
  const handler = createMcpHandler(
    ({ authInfo }) => {
      const identity = (authInfo?.extra?.[IDENTITY] ?? {
        userId: LOCAL_USER_ID,
        scopes: 'all',
      }) as RequestIdentity
      return createAssistantServer({
        version: options.version,
        contextFor: () => contextFor(identity),
      })
    },
    {
      maxRequestBodySize: limits.maxBodyBytes,
      onerror: (error) => options.logger.debug({ err: error.message }, 'mcp handler'),
    },
  )

  const limited = (decision: RateDecision, bucket: 'token' | 'ip', key: string): Response => {
    metrics?.rateLimited(route)
    audit.emit({
      type: 'http.rate_limited',
      bucket,
      key,
      route,
      retryAfterSeconds: decision.retryAfterSeconds ?? decision.resetSeconds,
    })
    return jsonRpcErrorResponse(
      { status: 429, code: -32000, message: 'Too many requests: slow down and retry later' },
      rateLimits?.headers(decision, bucket === 'token' ? 'mcp' : 'ip') ?? {},
    )
  }

  const endpoint = async (
    request: Request,
    ip: string,
    connection: ConnectionInfo = {},
  ): Promise<Response> => {
    let verified: VerifiedToken | undefined
    let rateHeaders: Record<string, string> = {}
    if (auth !== undefined) {
      const outcome = await authenticate(request, auth.verifier, challenge, connection)
      if (!outcome.ok) {
        metrics?.authFailure(outcome.reason)
        audit.emit({
          type: 'auth.token_refused',
          reason: outcome.reason,
          ...(outcome.detail === undefined ? {} : { detail: outcome.detail }),
          ...(outcome.fingerprint === undefined ? {} : { fingerprint: outcome.fingerprint }),
          ip,
        })
        const decision = await rateLimits?.consumeIp(ip)
        if (decision !== undefined && !decision.allowed) {
          return limited(decision, 'ip', ipRateLimitKey(ip))
        }
        return outcome.response
      }
      verified = outcome.token
      const decision = await rateLimits?.consumeMcp(verified.tokenFingerprint)
      if (decision !== undefined) {
        if (!decision.allowed) return limited(decision, 'token', verified.tokenFingerprint)
        rateHeaders = rateLimits?.headers(decision, 'mcp') ?? {}
      }
    }

    let parsedBody: unknown
    if (request.method === 'POST') {
      const body = await readJsonRpcBody(request, {
        maxBytes: limits.maxBodyBytes,
        maxBatch: limits.maxBatch,
      })
      if (!('messages' in body)) return jsonRpcErrorResponse(body, rateHeaders)
      parsedBody = body.value
      if (verified !== undefined) {
        const granted = new Set(verified.scopes)
        const missing = missingScopesFor(body.messages, granted)
        if (missing.length > 0) {
          const userId = await users.idOf(verified, audit)
          audit.emit({
            type: 'auth.scope_refused',
            fingerprint: verified.tokenFingerprint,
            userId,
            needed: missing,
            granted: verified.scopes,
            methods: body.messages.map((m) => String(m.method ?? 'response')),
          })
          metrics?.authFailure('insufficient_scope')
          return withHeaders(
            insufficientScopeResponse(missing, { resourceMetadataUrl }),
            rateHeaders,
          )
        }
      }
    }

    const identity: RequestIdentity =
      verified === undefined
        ? { userId: LOCAL_USER_ID, scopes: 'all' }
        : { userId: await users.idOf(verified, audit), scopes: new Set(verified.scopes) }
    const authInfo: AuthInfo = {
      token: verified?.tokenFingerprint ?? 'unauthenticated',
      clientId: verified?.clientId ?? '',
      scopes: verified?.scopes ?? [],
      ...(verified === undefined ? {} : { expiresAt: verified.expiresAt }),
      resource: options.resource,
      extra: { [IDENTITY]: identity },
    }
    const response = await withTimeout(
      handler.fetch(request, { authInfo, parsedBody }),
      limits.requestTimeoutMs,
    )
    response.headers.set('Cache-Control', 'no-store')
    return withHeaders(response, rateHeaders)
  }
  return Object.assign(endpoint, { close: () => handler.close() })
}

function withHeaders(response: Response, headers: Record<string, string>): Response {
  for (const [name, value] of Object.entries(headers)) response.headers.set(name, value)
  return response
}

/**
 * Bounds how long a request may take to produce its answer. A JSON answer resolves only when the
 * tool has finished; an SSE answer (2025-era clients) resolves at once, so there the deadline
 * applies to the first event, which carries the result of a stateless request.
 */
async function withTimeout(work: Promise<Response>, ms: number): Promise<Response> {
  const started = Date.now()
  const timedOut = (): Response =>
    jsonRpcErrorResponse({
      status: 504,
      code: -32001,
      message: `Request timed out after ${ms >= 1000 ? `${Math.ceil(ms / 1000)} s` : `${ms} ms`} (server.request_timeout)`,
    })
  const response = await raceDeadline(work, ms)
  if (response === undefined) return timedOut()
  const isStream = (response.headers.get('content-type') ?? '').startsWith('text/event-stream')
  if (!isStream || response.body === null) return response
  const reader = response.body.getReader()
  const first = await raceDeadline(reader.read(), ms - (Date.now() - started))
  if (first === undefined) {
    void reader.cancel().catch(() => undefined)
    return timedOut()
  }
  const body = new ReadableStream<Uint8Array>({
    start(controller) {
      if (first.done) controller.close()
      else controller.enqueue(first.value)
    },
    async pull(controller) {
      const next = await reader.read()
      if (next.done) controller.close()
      else controller.enqueue(next.value)
    },
    cancel(reason) {
      return reader.cancel(reason)
    },
  })
  return new Response(body, { status: response.status, headers: response.headers })
}

async function raceDeadline<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), Math.max(0, ms))
  })
  try {
    return await Promise.race([work, deadline])
  } finally {
    clearTimeout(timer)
  }
}
