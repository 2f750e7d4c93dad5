import { describe, expect, it } from 'vitest'
import { createJwtVerifier } from './jwt-verifier.js'

const good = {
  issuer: 'https://idp.example',
  audience: 'https://mcp.example/mcp',
  jwks: { keys: [] },
}

describe('createJwtVerifier validates its options at construction (CONVENTIONS §5.5)', () => {
  it.each([
    ['http issuer off loopback', { issuer: 'http://idp.example' }, /https/],
    ['relative issuer', { issuer: 'idp.example' }, /absolute URL/],
    ['empty audience (TOK-4)', { audience: '' }, /never skipped/],
    ['blank audience (TOK-4)', { audience: '  ' }, /never skipped/],
    ['alg none', { algorithms: ['none'] }, /unsigned/],
    ['HS256 (algorithm confusion)', { algorithms: ['ES256', 'HS256'] }, /HMAC/],
    ['unknown alg', { algorithms: ['ES999'] }, /not supported/],
    ['empty algorithms', { algorithms: [] }, /non-empty/],
    ['leeway above 300 s', { clockToleranceSeconds: 301 }, /between 0 and 300/],
    ['negative leeway', { clockToleranceSeconds: -1 }, /between 0 and 300/],
    ['http JWKS off loopback', { jwks: new URL('http://idp.example/jwks') }, /https/],
    ['JWKS without keys', { jwks: {} }, /JSON Web Key Set/],
    ['zero fetch timeout', { fetchTimeoutMs: 0 }, /fetchTimeoutMs/],
  ])('refuses %s', (_name, patch, message) => {
    const options = { ...good, ...patch } as Parameters<typeof createJwtVerifier>[0]
    expect(() => createJwtVerifier(options)).toThrow(TypeError)
    expect(() => createJwtVerifier(options)).toThrow(message)
  })

  it.each([
    [
      'loopback http issuer and JWKS',
      { issuer: 'http://127.0.0.1:9000', jwks: new URL('http://localhost:9000/jwks') },
    ],
    ['explicit asymmetric algorithms', { algorithms: ['ES256', 'PS384'] }],
    ['zero leeway', { clockToleranceSeconds: 0 }],
  ])('accepts %s', (_name, patch) => {
    expect(() => createJwtVerifier({ ...good, ...patch })).not.toThrow()
  })
})
