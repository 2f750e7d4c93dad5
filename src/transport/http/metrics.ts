import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client'

/**
 * Prometheus metrics of the HTTP mode, on a registry of their own (never prom-client's global
 * one, so two servers in one process, or a test, never share or collide on counters).
 *
 * Cardinality: every label takes values from a bounded set. `route` must be the route
 * **template** the request matched (`/mcp`, `/oauth/token`, `/.well-known/…`), never the raw
 * path, which carries ids and whatever a client invents. As a backstop each label accepts at
 * most a fixed number of distinct values and records the rest as `other`; a caller that leaks
 * raw paths is a bug this only contains.
 */
export interface Metrics {
  registry: Registry
  /** One finished request: route template, method, response status, duration in seconds. */
  observeRequest(route: string, method: string, status: number, seconds: number): void
  /** One refused request at the guard or the AS, by reason (an RFC error code or similar). */
  authFailure(reason: string): void
  /** One request refused by a rate limit, by route template. */
  rateLimited(route: string): void
  /** The `Content-Type` of `render()`. */
  contentType: string
  /** The exposition text for `GET /metrics`. */
  render(): Promise<string>
}

/** Distinct values a label keeps before the rest are counted as `other`. */
export const MAX_LABEL_VALUES = { route: 64, reason: 32 } as const

/** Request duration buckets in seconds: 1 ms to 5 s. */
export const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5]

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

/** Admits the first `max` distinct values of a label; later new values become `other`. */
function boundedLabel(max: number): (value: string) => string {
  const seen = new Set<string>()
  return (value) => {
    const text = String(value)
    if (seen.has(text)) return text
    if (seen.size >= max) return 'other'
    seen.add(text)
    return text
  }
}

export function createMetrics(): Metrics {
  const registry = new Registry()
  collectDefaultMetrics({ register: registry, prefix: 'mcp_pa_' })
  const registers = [registry]

  const requests = new Counter({
    name: 'mcp_pa_http_requests_total',
    help: 'HTTP requests by route template, method and status.',
    labelNames: ['route', 'method', 'status'] as const,
    registers,
  })
  const duration = new Histogram({
    name: 'mcp_pa_http_request_duration_seconds',
    help: 'HTTP request duration in seconds by route template and method.',
    labelNames: ['route', 'method'] as const,
    buckets: DURATION_BUCKETS,
    registers,
  })
  const authFailures = new Counter({
    name: 'mcp_pa_auth_failures_total',
    help: 'Requests refused by authentication or authorization, by reason.',
    labelNames: ['reason'] as const,
    registers,
  })
  const limited = new Counter({
    name: 'mcp_pa_rate_limited_total',
    help: 'Requests refused by a rate limit, by route template.',
    labelNames: ['route'] as const,
    registers,
  })

  const route = boundedLabel(MAX_LABEL_VALUES.route)
  const reason = boundedLabel(MAX_LABEL_VALUES.reason)
  const method = (m: string) => {
    const upper = String(m).toUpperCase()
    return METHODS.has(upper) ? upper : 'OTHER'
  }
  const status = (s: number) => (Number.isInteger(s) && s >= 100 && s <= 599 ? String(s) : 'other')

  return {
    registry,
    contentType: registry.contentType,
    observeRequest(r, m, s, seconds) {
      const labels = { route: route(r), method: method(m) }
      requests.inc({ ...labels, status: status(s) })
      if (Number.isFinite(seconds) && seconds >= 0) duration.observe(labels, seconds)
    },
    authFailure: (r) => authFailures.inc({ reason: reason(r) }),
    rateLimited: (r) => limited.inc({ route: route(r) }),
    render: () => registry.metrics(),
  }
}
