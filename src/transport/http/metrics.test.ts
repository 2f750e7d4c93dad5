import { register as globalRegistry } from 'prom-client'
import { describe, expect, it } from 'vitest'
import { createMetrics, DURATION_BUCKETS, MAX_LABEL_VALUES } from './metrics.js'

async function values(metrics: ReturnType<typeof createMetrics>, name: string) {
  const metric = metrics.registry.getSingleMetric(name)
  if (!metric) throw new Error(`${name} is not registered`)
  return (await metric.get()).values
}

describe('createMetrics', () => {
  it('counts requests by route template, method and status, and times them', async () => {
    const metrics = createMetrics()
    metrics.observeRequest('/mcp', 'post', 200, 0.004)
    metrics.observeRequest('/mcp', 'POST', 200, 0.02)
    metrics.observeRequest('/mcp', 'POST', 429, 0.0005)
    const requests = await values(metrics, 'mcp_pa_http_requests_total')
    expect(requests).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          labels: { route: '/mcp', method: 'POST', status: '200' },
          value: 2,
        }),
        expect.objectContaining({
          labels: { route: '/mcp', method: 'POST', status: '429' },
          value: 1,
        }),
      ]),
    )
    // prom-client's histogram values carry `metricName` (_bucket, _sum, _count); its types omit it.
    const duration = (await values(metrics, 'mcp_pa_http_request_duration_seconds')) as {
      metricName?: string
      labels: Record<string, string | number>
      value: number
    }[]
    const count = duration.find(
      (v) => v.metricName === 'mcp_pa_http_request_duration_seconds_count',
    )
    expect(count).toMatchObject({ labels: { route: '/mcp', method: 'POST' }, value: 3 })
    const le = duration.filter((v) => v.metricName?.endsWith('_bucket')).map((v) => v.labels.le)
    expect(le).toEqual([...DURATION_BUCKETS, '+Inf'])
  })

  it('counts auth failures by reason and rate-limited requests by route', async () => {
    const metrics = createMetrics()
    metrics.authFailure('invalid_token')
    metrics.authFailure('invalid_token')
    metrics.authFailure('insufficient_scope')
    metrics.rateLimited('/mcp')
    expect(await values(metrics, 'mcp_pa_auth_failures_total')).toEqual([
      expect.objectContaining({ labels: { reason: 'invalid_token' }, value: 2 }),
      expect.objectContaining({ labels: { reason: 'insufficient_scope' }, value: 1 }),
    ])
    expect(await values(metrics, 'mcp_pa_rate_limited_total')).toEqual([
      expect.objectContaining({ labels: { route: '/mcp' }, value: 1 }),
    ])
  })

  it('renders the exposition format with our metrics and the default process metrics', async () => {
    const metrics = createMetrics()
    metrics.observeRequest('/oauth/token', 'POST', 400, 0.01)
    metrics.authFailure('invalid_grant')
    metrics.rateLimited('/oauth/token')
    const text = await metrics.render()
    for (const name of [
      'mcp_pa_http_requests_total',
      'mcp_pa_http_request_duration_seconds_bucket',
      'mcp_pa_auth_failures_total',
      'mcp_pa_rate_limited_total',
      'mcp_pa_process_cpu_user_seconds_total',
      'mcp_pa_nodejs_eventloop_lag_seconds',
    ]) {
      expect(text).toContain(`${name}`)
    }
    expect(text).toContain(
      'mcp_pa_http_requests_total{route="/oauth/token",method="POST",status="400"} 1',
    )
    expect(metrics.contentType).toMatch(/^text\/plain; version=0\.0\.4/)
  })

  it('uses a registry of its own: two instances never share counters, the global one stays empty', async () => {
    const [a, b] = [createMetrics(), createMetrics()]
    a.rateLimited('/mcp')
    expect(await values(b, 'mcp_pa_rate_limited_total')).toEqual([])
    expect(globalRegistry.getSingleMetric('mcp_pa_rate_limited_total')).toBeUndefined()
  })

  it('bounds label cardinality: raw paths, odd methods and statuses collapse to `other`', async () => {
    const metrics = createMetrics()
    for (let i = 0; i < 1000; i++) {
      metrics.observeRequest(`/mcp/session/${i}`, 'GET', 200, 0.001)
      metrics.rateLimited(`/leak/${i}`)
      metrics.authFailure(`reason ${i}`)
    }
    metrics.observeRequest('/mcp', 'BREW', 42, Number.NaN)
    // Both route-labelled metrics draw from one bounded set of route values.
    const routes = new Set(
      [
        ...(await values(metrics, 'mcp_pa_http_requests_total')),
        ...(await values(metrics, 'mcp_pa_rate_limited_total')),
      ].map((v) => v.labels.route),
    )
    expect(routes.size).toBe(MAX_LABEL_VALUES.route + 1)
    expect(routes.has('other')).toBe(true)
    const reasons = await values(metrics, 'mcp_pa_auth_failures_total')
    expect(reasons).toHaveLength(MAX_LABEL_VALUES.reason + 1)
    expect(await values(metrics, 'mcp_pa_http_requests_total')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { route: 'other', method: 'OTHER', status: 'other' } }),
      ]),
    )
  })
})
