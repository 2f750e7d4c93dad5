/**
 * Browser-facing protections, as pure functions over headers: security headers on every response,
 * Host and Origin validation on the MCP endpoint (DNS rebinding, cross-site requests), and CORS
 * only where browser clients need it.
 */

/** Headers every response carries (API responses: nothing may be rendered, framed or sniffed). */
export function securityHeaders(options: { hsts: string | undefined }): Record<string, string> {
  const headers: Record<string, string> = {
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  }
  if (options.hsts !== undefined) headers['Strict-Transport-Security'] = options.hsts
  return headers
}

const LOOPBACK_NAMES = ['localhost', '127.0.0.1', '[::1]']

/** `host[:port]` as the WHATWG parser writes it (lower case, default port dropped), or undefined. */
function normalHost(value: string, scheme: 'http:' | 'https:'): string | undefined {
  if (!/^[A-Za-z0-9.[\]:-]+$/.test(value)) return undefined
  try {
    return new URL(`${scheme}//${value}`).host
  } catch {
    return undefined
  }
}

/** What the Host and Origin checks accept, computed once at startup. */
export interface OriginPolicy {
  /** Accepted `Host` values, normalised. */
  hosts: ReadonlySet<string>
  /** Accepted `Origin` values (the server's own, loopback ones when on loopback, configured). */
  origins: ReadonlySet<string>
  /** Origins that also get CORS headers: the configured browser origins. */
  corsOrigins: ReadonlySet<string>
}

export function originPolicy(options: {
  publicUrl: URL
  loopback: boolean
  port: number
  allowedHosts: readonly string[]
  allowedOrigins: readonly string[]
}): OriginPolicy {
  const scheme = options.publicUrl.protocol === 'https:' ? 'https:' : 'http:'
  const hosts = new Set<string>([options.publicUrl.host])
  const origins = new Set<string>([options.publicUrl.origin])
  if (options.loopback) {
    for (const name of LOOPBACK_NAMES) {
      const host = normalHost(`${name}:${options.port}`, scheme)
      if (host !== undefined) {
        hosts.add(host)
        origins.add(`${scheme}//${host}`)
      }
    }
  }
  for (const value of options.allowedHosts) {
    const host = normalHost(value, scheme)
    if (host === undefined) throw new TypeError(`server.allowed_hosts: invalid host ${value}`)
    hosts.add(host)
  }
  const corsOrigins = new Set<string>()
  for (const value of options.allowedOrigins) {
    const origin = new URL(value).origin
    origins.add(origin)
    corsOrigins.add(origin)
  }
  return { hosts, origins, corsOrigins }
}

/** Which header made a request foreign, if any. */
export type ForeignRequest = { header: 'host' | 'origin'; value: string } | undefined

/**
 * DNS-rebinding and cross-site protection for the MCP endpoint: the `Host` (or, behind a trusted
 * proxy, `X-Forwarded-Host`) must be one of ours, and an `Origin`, when present, must be allowed.
 * Native clients send no `Origin` and pass; `Origin: null` never passes.
 */
export function foreignRequest(
  headers: Headers,
  policy: OriginPolicy,
  options: { trustProxy: boolean; scheme: 'http:' | 'https:' },
): ForeignRequest {
  const forwarded = options.trustProxy ? headers.get('x-forwarded-host') : null
  // The proxy we trust appends to whatever the client sent, so its value is the last one.
  const rawHost = (forwarded ?? headers.get('host') ?? '').split(',').at(-1)?.trim() ?? ''
  const host = normalHost(rawHost, options.scheme)
  if (host === undefined || !policy.hosts.has(host)) {
    return { header: 'host', value: rawHost.slice(0, 200) }
  }
  const origin = headers.get('origin')
  if (origin !== null && !policy.origins.has(origin.toLowerCase())) {
    return { header: 'origin', value: origin.slice(0, 200) }
  }
  return undefined
}

const EXPOSED = [
  'WWW-Authenticate',
  'Mcp-Session-Id',
  'Mcp-Protocol-Version',
  'RateLimit-Limit',
  'RateLimit-Remaining',
  'RateLimit-Reset',
  'RateLimit-Policy',
  'Retry-After',
].join(', ')

const REQUEST_HEADERS = [
  'Authorization',
  'Content-Type',
  'Accept',
  'Mcp-Protocol-Version',
  'Mcp-Session-Id',
  'Mcp-Method',
  'Mcp-Name',
  'Last-Event-ID',
].join(', ')

/**
 * CORS headers for the MCP endpoint: only for configured browser origins (credentials are a
 * bearer header, never cookies, so `Allow-Credentials` is not sent).
 */
export function mcpCorsHeaders(
  origin: string | null,
  policy: OriginPolicy,
  preflight: boolean,
): Record<string, string> {
  if (origin === null || !policy.corsOrigins.has(origin.toLowerCase())) return { Vary: 'Origin' }
  const headers: Record<string, string> = {
    Vary: 'Origin',
    'Access-Control-Allow-Origin': origin,
    'Access-Control-Expose-Headers': EXPOSED,
  }
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = 'POST, GET, DELETE, OPTIONS'
    headers['Access-Control-Allow-Headers'] = REQUEST_HEADERS
    headers['Access-Control-Max-Age'] = '600'
  }
  return headers
}

/** CORS headers for public metadata documents: readable from any origin, no credentials. */
export function publicCorsHeaders(preflight: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'Access-Control-Allow-Origin': '*' }
  if (preflight) {
    headers['Access-Control-Allow-Methods'] = 'GET, OPTIONS'
    headers['Access-Control-Allow-Headers'] = 'Mcp-Protocol-Version'
    headers['Access-Control-Max-Age'] = '600'
  }
  return headers
}
