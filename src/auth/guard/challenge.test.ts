import { describe, expect, it } from 'vitest'
import { OAuthError } from '../protocol/index.js'
import { challengeHeader, challengeResponse } from './challenge.js'

const PRM = 'https://mcp.example/.well-known/oauth-protected-resource/mcp'

describe('challengeHeader (RFC 6750 §3, RFC 9728 §5.1, PRM-4)', () => {
  it.each([
    [{}, `Bearer resource_metadata="${PRM}"`],
    [{ scope: ['memories:read'] }, `Bearer resource_metadata="${PRM}", scope="memories:read"`],
    [
      { scope: ['a', 'b', 'a'], error: 'insufficient_scope' },
      `Bearer resource_metadata="${PRM}", scope="a b", error="insufficient_scope"`,
    ],
    [
      { error: 'invalid_token', errorDescription: 'say "hi" \\ bye' },
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="say \\"hi\\" \\\\ bye"`,
    ],
  ])('%j', (extra, expected) => {
    expect(challengeHeader({ resourceMetadataUrl: PRM, ...extra })).toBe(expected)
  })

  it.each([
    ['CR LF in description', { errorDescription: 'x\r\nSet-Cookie: a=b' }],
    ['NUL in error', { error: 'a\u0000' }],
    ['non-ASCII', { errorDescription: 'é' }],
    ['scope with a space', { scope: ['a b'] }],
    ['scope with a quote', { scope: ['a"'] }],
    ['relative metadata URL', { resourceMetadataUrl: '/x' }],
  ])('refuses %s', (_name, extra) => {
    expect(() => challengeHeader({ resourceMetadataUrl: PRM, ...extra })).toThrow(TypeError)
  })
})

describe('challengeResponse statuses (ERR-1, ERR-2, ERR-3, ERR-5, ERR-6)', () => {
  it('missing credentials → 401, challenge without error, no body (ERR-2, ERR-3)', async () => {
    const response = challengeResponse('missing', { resourceMetadataUrl: PRM, scope: ['a'] })
    expect(response.status).toBe(401)
    expect(response.headers.get('www-authenticate')).toBe(
      `Bearer resource_metadata="${PRM}", scope="a"`,
    )
    expect(response.headers.get('cache-control')).toBe('no-store')
    expect(await response.text()).toBe('')
  })

  it.each([
    [
      new OAuthError('invalid_token', 'the access token is invalid or expired'),
      401,
      [],
      `Bearer resource_metadata="${PRM}", error="invalid_token", error_description="the access token is invalid or expired"`,
    ],
    [
      new OAuthError('insufficient_scope', 'more scope needed'),
      403,
      ['memories:write', 'tasks:write'],
      `Bearer resource_metadata="${PRM}", scope="memories:write tasks:write", error="insufficient_scope", error_description="more scope needed"`,
    ],
    [
      new OAuthError('invalid_request', 'malformed Authorization header'),
      400,
      [],
      `Bearer resource_metadata="${PRM}", error="invalid_request", error_description="malformed Authorization header"`,
    ],
    [new OAuthError('temporarily_unavailable', 'try later'), 503, [], null],
    [new OAuthError('server_error', 'internal error'), 500, [], null],
  ] as [OAuthError, number, string[], string | null][])(
    '%s → %i',
    async (error, status, scope, header) => {
      const response = challengeResponse(error, { resourceMetadataUrl: PRM, scope })
      expect(response.status).toBe(status)
      expect(response.headers.get('www-authenticate')).toBe(header)
      expect(response.headers.get('cache-control')).toBe('no-store')
      expect(response.headers.get('content-type')).toBe('application/json')
      expect(await response.json()).toEqual({
        error: error.code,
        error_description: error.description,
      })
    },
  )

  it('never sends the private detail', async () => {
    const error = new OAuthError('invalid_token', 'generic', { detail: 'ERR_JWT_EXPIRED' })
    const response = challengeResponse(error, { resourceMetadataUrl: PRM })
    expect(`${response.headers.get('www-authenticate')} ${await response.text()}`).not.toContain(
      'ERR_JWT',
    )
  })

  it('an insufficient_scope answer must name the scopes (ERR-5)', () => {
    const error = new OAuthError('insufficient_scope', 'x')
    expect(() => challengeResponse(error, { resourceMetadataUrl: PRM })).toThrow(TypeError)
  })
})
