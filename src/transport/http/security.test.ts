import { describe, expect, it } from 'vitest'
import {
  foreignRequest,
  mcpCorsHeaders,
  originPolicy,
  publicCorsHeaders,
  securityHeaders,
  type OriginPolicy,
} from './security.js'

const HSTS = 'max-age=31536000; includeSubDomains'

describe('securityHeaders', () => {
  const base = {
    'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
    'X-Content-Type-Options': 'nosniff',
    'Referrer-Policy': 'no-referrer',
    'X-Frame-Options': 'DENY',
    'Cross-Origin-Opener-Policy': 'same-origin',
  }

  it('CD-3: forbids framing, sniffing and referrers, without HSTS on plain HTTP', () => {
    expect(securityHeaders({ hsts: undefined })).toEqual(base)
  })

  it('adds Strict-Transport-Security when a value is given (TLS or trusted https proxy)', () => {
    expect(securityHeaders({ hsts: HSTS })).toEqual({
      ...base,
      'Strict-Transport-Security': HSTS,
    })
  })
})

/** The loopback policy of the in-process tests: http://127.0.0.1:8787/mcp. */
const loopback = (extra: Partial<Parameters<typeof originPolicy>[0]> = {}) =>
  originPolicy({
    publicUrl: new URL('http://127.0.0.1:8787/mcp'),
    loopback: true,
    port: 8787,
    allowedHosts: [],
    allowedOrigins: [],
    ...extra,
  })

/** A public https deployment behind nothing: https://mcp.example.com/mcp. */
const publicHttps = (extra: Partial<Parameters<typeof originPolicy>[0]> = {}) =>
  originPolicy({
    publicUrl: new URL('https://mcp.example.com/mcp'),
    loopback: false,
    port: 443,
    allowedHosts: [],
    allowedOrigins: ['https://app.example.com'],
    ...extra,
  })

function check(
  policy: OriginPolicy,
  headers: Record<string, string>,
  options: { trustProxy?: boolean; scheme?: 'http:' | 'https:' } = {},
) {
  return foreignRequest(new Headers(headers), policy, {
    trustProxy: options.trustProxy ?? false,
    scheme: options.scheme ?? 'http:',
  })
}

describe('originPolicy', () => {
  it('accepts the public host, and loopback names with the port only on loopback', () => {
    expect([...loopback().hosts].sort()).toEqual(['127.0.0.1:8787', '[::1]:8787', 'localhost:8787'])
    expect([...loopback().origins].sort()).toEqual([
      'http://127.0.0.1:8787',
      'http://[::1]:8787',
      'http://localhost:8787',
    ])
    expect([...publicHttps().hosts]).toEqual(['mcp.example.com'])
    expect([...publicHttps().origins].sort()).toEqual([
      'https://app.example.com',
      'https://mcp.example.com',
    ])
  })

  it('gives CORS only to configured browser origins, not to its own origin', () => {
    expect([...loopback().corsOrigins]).toEqual([])
    expect([...publicHttps().corsOrigins]).toEqual(['https://app.example.com'])
  })

  it('normalises configured hosts and origins (case, default port)', () => {
    const policy = publicHttps({
      allowedHosts: ['MCP.Internal.example:443', 'alt.example.com:8443'],
      allowedOrigins: ['HTTPS://App.Example.com:443'],
    })
    expect(policy.hosts.has('mcp.internal.example')).toBe(true)
    expect(policy.hosts.has('alt.example.com:8443')).toBe(true)
    expect(policy.corsOrigins.has('https://app.example.com')).toBe(true)
  })

  it('refuses an invalid configured host when built, not on the first request', () => {
    expect(() => publicHttps({ allowedHosts: ['evil.example/path'] })).toThrow(
      'server.allowed_hosts: invalid host evil.example/path',
    )
  })
})

describe('foreignRequest (T-1, T-2, T-3: DNS rebinding and cross-site requests)', () => {
  const host = '127.0.0.1:8787'
  const policies = {
    loopback: { policy: loopback(), scheme: 'http:' },
    https: { policy: publicHttps(), scheme: 'https:' },
    internal: { policy: publicHttps({ allowedHosts: ['mcp.internal.example'] }), scheme: 'https:' },
  } as const
  type Case = [string, keyof typeof policies, Record<string, string>, ReturnType<typeof check>]
  const cases: Case[] = [
    ['T-3: own host', 'loopback', { host }, undefined],
    ['T-3: localhost with the port on loopback', 'loopback', { host: 'localhost:8787' }, undefined],
    ['T-3: [::1] with the port on loopback', 'loopback', { host: '[::1]:8787' }, undefined],
    [
      'T-3: localhost without the port',
      'loopback',
      { host: 'localhost' },
      { header: 'host', value: 'localhost' },
    ],
    [
      'T-3: loopback name on another port',
      'loopback',
      { host: 'localhost:9999' },
      { header: 'host', value: 'localhost:9999' },
    ],
    [
      'T-3: evil host (DNS rebinding, no Origin)',
      'loopback',
      { host: 'evil.example:8787' },
      { header: 'host', value: 'evil.example:8787' },
    ],
    ['T-3: missing Host', 'loopback', {}, { header: 'host', value: '' }],
    [
      'T-3: Host with user info',
      'loopback',
      { host: 'evil.example@127.0.0.1:8787' },
      { header: 'host', value: 'evil.example@127.0.0.1:8787' },
    ],
    ['T-3: Host in upper case', 'loopback', { host: 'LOCALHOST:8787' }, undefined],
    ['T-1: Origin absent (native client)', 'loopback', { host }, undefined],
    ['T-1: own origin', 'loopback', { host, origin: 'http://127.0.0.1:8787' }, undefined],
    ['T-1: loopback origin', 'loopback', { host, origin: 'http://localhost:8787' }, undefined],
    ['T-1: origin in upper case', 'loopback', { host, origin: 'HTTP://LOCALHOST:8787' }, undefined],
    [
      'T-2: foreign origin',
      'loopback',
      { host, origin: 'https://evil.example' },
      { header: 'origin', value: 'https://evil.example' },
    ],
    [
      'T-2: own host on another scheme',
      'loopback',
      { host, origin: 'https://127.0.0.1:8787' },
      { header: 'origin', value: 'https://127.0.0.1:8787' },
    ],
    ['T-2: Origin null', 'loopback', { host, origin: 'null' }, { header: 'origin', value: 'null' }],
    [
      'T-1: configured allowed origin',
      'https',
      { host: 'mcp.example.com', origin: 'https://app.example.com' },
      undefined,
    ],
    ['default https port in Host', 'https', { host: 'mcp.example.com:443' }, undefined],
    [
      'port 80 is not the https default',
      'https',
      { host: 'mcp.example.com:80' },
      { header: 'host', value: 'mcp.example.com:80' },
    ],
    [
      'loopback names are not accepted off loopback',
      'https',
      { host: 'localhost:443' },
      { header: 'host', value: 'localhost:443' },
    ],
    ['configured allowed host', 'internal', { host: 'mcp.internal.example' }, undefined],
  ]
  it.each(cases)('%s', (_name, which, headers, expected) => {
    const { policy, scheme } = policies[which]
    expect(check(policy, headers, { scheme })).toEqual(expected)
  })

  it('cuts the reported value to 200 characters (audit log hygiene)', () => {
    const origin = `https://${'a'.repeat(300)}.example`
    const result = check(loopback(), { host, origin })
    expect(result?.header).toBe('origin')
    expect(result?.value).toHaveLength(200)
  })

  describe('X-Forwarded-Host', () => {
    const policy = publicHttps()
    const behindProxy = { host: '10.0.0.5:8080', 'x-forwarded-host': 'mcp.example.com' }

    it('is honoured with trustProxy: the proxy host replaces the internal Host', () => {
      expect(check(policy, behindProxy, { trustProxy: true, scheme: 'https:' })).toBeUndefined()
    })

    it('is ignored without trustProxy: only the Host header counts', () => {
      expect(check(policy, behindProxy, { scheme: 'https:' })).toEqual({
        header: 'host',
        value: '10.0.0.5:8080',
      })
      const spoofed = { host: 'evil.example', 'x-forwarded-host': 'mcp.example.com' }
      expect(check(policy, spoofed, { scheme: 'https:' })).toEqual({
        header: 'host',
        value: 'evil.example',
      })
    })

    it('refuses a foreign forwarded host even when the Host is ours', () => {
      const headers = { host: 'mcp.example.com', 'x-forwarded-host': 'evil.example' }
      expect(check(policy, headers, { trustProxy: true, scheme: 'https:' })).toEqual({
        header: 'host',
        value: 'evil.example',
      })
    })

    it('takes the last value of a list: the one our proxy appended, not what the client sent', () => {
      const appended = {
        host: '10.0.0.5:8080',
        'x-forwarded-host': 'evil.example, mcp.example.com',
      }
      expect(check(policy, appended, { trustProxy: true, scheme: 'https:' })).toBeUndefined()
      const smuggled = {
        host: '10.0.0.5:8080',
        'x-forwarded-host': 'mcp.example.com, evil.example',
      }
      expect(check(policy, smuggled, { trustProxy: true, scheme: 'https:' })).toEqual({
        header: 'host',
        value: 'evil.example',
      })
    })

    it('falls back to Host when a trusted proxy sends none', () => {
      const headers = { host: 'mcp.example.com' }
      expect(check(policy, headers, { trustProxy: true, scheme: 'https:' })).toBeUndefined()
    })
  })
})

describe('mcpCorsHeaders', () => {
  const policy = publicHttps()

  it.each([
    ['no Origin', null],
    ['a foreign origin', 'https://evil.example'],
    ['the server own origin (same-origin needs no CORS)', 'https://mcp.example.com'],
    ['Origin null', 'null'],
  ])('answers %s with Vary only', (_name, origin) => {
    expect(mcpCorsHeaders(origin, policy, false)).toEqual({ Vary: 'Origin' })
    expect(mcpCorsHeaders(origin, policy, true)).toEqual({ Vary: 'Origin' })
  })

  it('echoes a configured origin and exposes the auth and rate-limit headers, no credentials', () => {
    const headers = mcpCorsHeaders('https://app.example.com', policy, false)
    expect(headers).toMatchObject({
      Vary: 'Origin',
      'Access-Control-Allow-Origin': 'https://app.example.com',
    })
    const exposed = headers['Access-Control-Expose-Headers']?.split(', ')
    expect(exposed).toEqual(
      expect.arrayContaining(['WWW-Authenticate', 'Mcp-Session-Id', 'Retry-After']),
    )
    expect(headers).not.toHaveProperty('Access-Control-Allow-Credentials')
    expect(headers).not.toHaveProperty('Access-Control-Allow-Methods')
  })

  it('adds methods, request headers and max-age on a preflight', () => {
    const headers = mcpCorsHeaders('https://app.example.com', policy, true)
    expect(headers['Access-Control-Allow-Methods']).toBe('POST, GET, DELETE, OPTIONS')
    expect(headers['Access-Control-Allow-Headers']?.split(', ')).toEqual(
      expect.arrayContaining(['Authorization', 'Content-Type', 'Mcp-Protocol-Version']),
    )
    expect(headers['Access-Control-Max-Age']).toBe('600')
  })
})

describe('publicCorsHeaders', () => {
  it('lets any origin read public metadata, without credentials', () => {
    expect(publicCorsHeaders(false)).toEqual({ 'Access-Control-Allow-Origin': '*' })
  })

  it('answers a preflight for GET', () => {
    expect(publicCorsHeaders(true)).toEqual({
      'Access-Control-Allow-Origin': '*',
      'Access-Control-Allow-Methods': 'GET, OPTIONS',
      'Access-Control-Allow-Headers': 'Mcp-Protocol-Version',
      'Access-Control-Max-Age': '600',
    })
  })
})
