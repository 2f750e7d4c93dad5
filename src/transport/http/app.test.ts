import { afterEach, describe, expect, it } from 'vitest'
import { SCOPES } from '../../tools/index.js'
import {
  appHarness,
  challengeParams,
  initialize,
  ISSUER,
  PRM_ROOT_URL,
  PRM_URL,
  RESOURCE,
  type AppHarness,
} from './http-test-support.js'
import { createMetrics } from './metrics.js'
import { hstsHeaderValue } from './tls.js'

/** The HTTP app in process (no socket): metadata, health, metrics, 404 and security headers. */

let h: AppHarness
afterEach(() => h?.close().catch(() => undefined))

const SECURITY_HEADERS = {
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'x-frame-options': 'DENY',
  'cross-origin-opener-policy': 'same-origin',
}

const path = (url: string) => new URL(url).pathname

describe('protected resource metadata (RFC 9728)', () => {
  it.each([
    ['PRM-5 path-suffixed', PRM_URL],
    ['PRM-5 root', PRM_ROOT_URL],
  ])('PRM-1/PRM-3: the %s URL serves the document for the canonical MCP URL', async (_n, url) => {
    h = await appHarness()
    const response = await h.request(path(url))
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^application\/json/)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-credentials')).toBeNull()
    expect(await response.json()).toEqual({
      resource: 'http://127.0.0.1:8787/mcp',
      authorization_servers: [ISSUER],
      scopes_supported: [...SCOPES],
      bearer_methods_supported: ['header'],
      resource_name: 'mcp-pa test',
    })
  })

  it('PRM-3: `resource` is exactly the URL clients call', async () => {
    h = await appHarness()
    const document = (await (await h.request(path(PRM_URL))).json()) as { resource: string }
    expect(document.resource).toBe(RESOURCE.href)
  })

  it('PRM-10: scopes_supported does not list offline_access', async () => {
    h = await appHarness()
    const document = (await (await h.request(path(PRM_URL))).json()) as {
      scopes_supported: string[]
    }
    expect(document.scopes_supported).not.toContain('offline_access')
  })

  it.each([PRM_URL, PRM_ROOT_URL])('answers a CORS preflight on %s', async (url) => {
    h = await appHarness()
    const response = await h.request(path(url), {
      method: 'OPTIONS',
      headers: {
        origin: 'https://any.example',
        'access-control-request-method': 'GET',
        'access-control-request-headers': 'mcp-protocol-version',
      },
    })
    expect(response.status).toBe(204)
    expect(response.headers.get('access-control-allow-origin')).toBe('*')
    expect(response.headers.get('access-control-allow-methods')).toBe('GET, OPTIONS')
    expect(response.headers.get('access-control-allow-headers')).toBe('Mcp-Protocol-Version')
  })

  it('PRM-4: the resource_metadata URL of a 401 resolves to this document', async () => {
    h = await appHarness()
    const refused = await h.post(initialize())
    const { resource_metadata } = challengeParams(refused.headers.get('www-authenticate'))
    expect(resource_metadata).toBe(PRM_URL)
    const document = await h.request(path(resource_metadata ?? ''))
    expect(document.status).toBe(200)
    expect(((await document.json()) as { resource: string }).resource).toBe(RESOURCE.href)
  })

  it('is not published when authentication is off', async () => {
    h = await appHarness({ withAuth: false })
    expect((await h.request(path(PRM_URL))).status).toBe(404)
    expect((await h.request(path(PRM_ROOT_URL))).status).toBe(404)
  })
})

describe('health, readiness and metrics', () => {
  it('/healthz is 200 without a token', async () => {
    h = await appHarness()
    const response = await h.request('/healthz')
    expect(response.status).toBe(200)
    expect(await response.json()).toEqual({ status: 'ok' })
  })

  it('/readyz is 200 while the database answers, 503 once it is closed', async () => {
    h = await appHarness()
    const ready = await h.request('/readyz')
    expect(ready.status).toBe(200)
    expect(await ready.json()).toEqual({ status: 'ready' })
    await h.storage.close()
    const closed = await h.request('/readyz')
    expect(closed.status).toBe(503)
    expect(await closed.json()).toEqual({
      status: 'unavailable',
      reason: 'the database does not answer',
    })
  })

  it('/metrics counts requests by route template, never by raw path', async () => {
    h = await appHarness({ metrics: createMetrics() })
    await h.request('/healthz')
    await h.post(initialize())
    await h.request('/no/such/path-c0ffee')
    const response = await h.request('/metrics')
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/)
    expect(response.headers.get('cache-control')).toBe('no-store')
    const text = await response.text()
    expect(text).toContain(
      'mcp_pa_http_requests_total{route="/healthz",method="GET",status="200"} 1',
    )
    expect(text).toContain('mcp_pa_http_requests_total{route="/mcp",method="POST",status="401"} 1')
    expect(text).toContain('mcp_pa_auth_failures_total{reason="missing"} 1')
    expect(text).not.toContain('c0ffee')
  })

  it('/metrics does not exist without a metrics object', async () => {
    h = await appHarness()
    expect((await h.request('/metrics')).status).toBe(404)
  })
})

describe('unknown paths', () => {
  it.each([
    ['GET', '/'],
    ['GET', '/nope'],
    ['POST', '/mcp/extra'],
    ['GET', '/.well-known/oauth-authorization-server'],
    ['DELETE', '/healthz'],
  ])('%s %s is a JSON 404, never cached', async (method, url) => {
    h = await appHarness()
    const response = await h.request(url, { method })
    expect(response.status).toBe(404)
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.json()).toEqual({
      error: 'not_found',
      error_description: 'no such endpoint',
    })
  })
})

describe('security headers on every response', () => {
  const requests: [string, string, RequestInit, number][] = [
    ['health', '/healthz', {}, 200],
    ['readiness', '/readyz', {}, 200],
    ['metadata', path(PRM_URL), {}, 200],
    ['metadata preflight', path(PRM_URL), { method: 'OPTIONS' }, 204],
    ['401 without token', '/mcp', { method: 'POST', body: '{}' }, 401],
    ['403 foreign Host', '/mcp', { method: 'POST', headers: { host: 'evil.example' } }, 403],
    ['403 refused preflight', '/mcp', { method: 'OPTIONS' }, 403],
    ['404', '/nope', {}, 404],
  ]

  it.each(requests)('%s', async (_name, url, init, status) => {
    h = await appHarness()
    const response = await h.request(url, init)
    expect(response.status).toBe(status)
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) {
      expect(response.headers.get(name), name).toBe(value)
    }
    expect(response.headers.get('strict-transport-security')).toBeNull()
  })

  it.each([
    ['HSTS when the listener speaks TLS', { tls: true }, {}, true],
    [
      'HSTS when a trusted proxy says https',
      { trustProxy: true },
      { 'x-forwarded-proto': 'https' },
      true,
    ],
    [
      'no HSTS when an untrusted X-Forwarded-Proto says https',
      {},
      { 'x-forwarded-proto': 'https' },
      false,
    ],
    [
      'no HSTS when a trusted proxy says http',
      { trustProxy: true },
      { 'x-forwarded-proto': 'http' },
      false,
    ],
  ])('%s', async (_name, options, headers, hsts) => {
    h = await appHarness(options)
    for (const url of ['/healthz', '/nope']) {
      const response = await h.request(url, { headers })
      expect(response.headers.get('strict-transport-security')).toBe(hsts ? hstsHeaderValue : null)
    }
  })
})
