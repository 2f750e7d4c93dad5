import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { createIntrospectionVerifier } from './introspection-verifier.js'
import type { IntrospectionVerifierOptions } from './introspection-options.js'

/** The introspection client secret, generated per run. */
const SECRET = randomBytes(16).toString('base64url')

const good: IntrospectionVerifierOptions = {
  endpoint: new URL('https://idp.example/introspect'),
  issuer: 'https://idp.example',
  audience: 'https://mcp.example/mcp',
  clientId: 'mcp-server',
  clientSecret: { reveal: () => SECRET },
}

describe('createIntrospectionVerifier validates its options at construction (CONVENTIONS §5.5)', () => {
  it.each([
    [
      'http endpoint off loopback (T-7, HTTPS-1)',
      { endpoint: new URL('http://idp.example/introspect') },
      /introspection endpoint must use https \(plain http is allowed only on loopback hosts\)/,
    ],
    ['relative endpoint', { endpoint: '/introspect' }, /absolute URL/],
    ['endpoint with user information', { endpoint: 'https://u:p@idp.example/i' }, /user info/],
    ['http issuer off loopback', { issuer: 'http://idp.example' }, /issuer must use https/],
    ['empty audience (TOK-4)', { audience: '' }, /never skipped/],
    ['empty client id', { clientId: '' }, /authentication\.introspection_client_id/],
    ['client id with a newline', { clientId: 'a\nb' }, /control characters/],
    ['a raw string secret', { clientSecret: SECRET }, /reveal\(\)/],
    ['no secret', { clientSecret: undefined }, /introspection_client_secret/],
    [
      'unknown auth method',
      { authMethod: 'private_key_jwt' },
      /client_secret_basic, client_secret_post/,
    ],
    ['cache TTL above 60 s', { cacheTtlSeconds: 61 }, /cacheTtlSeconds .* between 0 and 60/],
    ['negative cache TTL', { cacheTtlSeconds: -1 }, /between 0 and 60/],
    ['zero cache entries', { maxCacheEntries: 0 }, /maxCacheEntries/],
    ['zero fetch timeout', { fetchTimeoutMs: 0 }, /fetchTimeoutMs/],
    ['fractional fetch timeout', { fetchTimeoutMs: 1.5 }, /fetchTimeoutMs/],
    ['leeway above 300 s', { clockToleranceSeconds: 301 }, /clockToleranceSeconds/],
    ['a clock that is not a function', { clock: 5 }, /clock must be a function/],
    ['a fetch that is not a function', { fetch: {} }, /fetch must be a function/],
  ])('refuses %s with a TypeError', (_name, patch, message) => {
    const options = { ...good, ...patch } as IntrospectionVerifierOptions
    expect(() => createIntrospectionVerifier(options)).toThrow(TypeError)
    expect(() => createIntrospectionVerifier(options)).toThrow(message)
  })

  it.each([
    ['https endpoint', {}],
    [
      'loopback http endpoint and issuer',
      { endpoint: 'http://127.0.0.1:9/i', issuer: 'http://localhost:9' },
    ],
    ['client_secret_post', { authMethod: 'client_secret_post' }],
    ['cache disabled', { cacheTtlSeconds: 0 }],
  ] as [string, Partial<IntrospectionVerifierOptions>][])('accepts %s', (_name, patch) => {
    expect(() => createIntrospectionVerifier({ ...good, ...patch })).not.toThrow()
  })

  it('never reveals the secret at construction', () => {
    let reveals = 0
    createIntrospectionVerifier({ ...good, clientSecret: { reveal: () => `${(reveals += 1)}` } })
    expect(reveals).toBe(0)
  })
})
