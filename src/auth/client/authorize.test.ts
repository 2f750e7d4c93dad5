import { describe, expect, it } from 'vitest'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import type { AuthorizationErrorCode } from './authorize-errors.js'
import {
  callbackMatchesState,
  createAuthorizationRequest,
  readAuthorizationResponse,
} from './authorize.js'
import type { PendingAuthorization } from './authorize.js'
import { pkceChallenge } from './pkce.js'

const ISSUER = 'https://as.example.com/tenant'

function metadata(extra: Partial<AuthorizationServerMetadata> = {}): AuthorizationServerMetadata {
  return {
    issuer: ISSUER,
    authorization_endpoint: 'https://as.example.com/authorize',
    token_endpoint: 'https://as.example.com/token',
    code_challenge_methods_supported: ['S256'],
    ...extra,
  }
}

function request(extra: Partial<AuthorizationServerMetadata> = {}, scopes?: string[]) {
  return createAuthorizationRequest({
    authorizationServer: { issuer: ISSUER, metadata: metadata(extra) },
    clientId: 'https://mcp-pa.github.io/mcp-pa/client-metadata.json',
    redirectUri: 'http://127.0.0.1:4321/callback',
    resource: 'https://mcp.example.com/mcp',
    scopes,
  })
}

describe('createAuthorizationRequest (PKCE-1, PKCE-2, STATE-1, RES-1, SCOPE-1, ISS-1)', () => {
  it('carries every parameter; the verifier stays in the pending request', () => {
    const pending = request({}, ['mcp:read', 'mcp:write'])
    expect(`${pending.url.origin}${pending.url.pathname}`).toBe('https://as.example.com/authorize')
    expect(Object.fromEntries(pending.url.searchParams)).toEqual({
      response_type: 'code',
      client_id: 'https://mcp-pa.github.io/mcp-pa/client-metadata.json',
      redirect_uri: 'http://127.0.0.1:4321/callback',
      code_challenge: pkceChallenge(pending.verifier),
      code_challenge_method: 'S256',
      state: pending.state,
      resource: 'https://mcp.example.com/mcp',
      scope: 'mcp:read mcp:write',
    })
    expect(pending.url.href).not.toContain(pending.verifier)
    expect(pending).toMatchObject({
      issuer: ISSUER,
      issRequired: false,
      scopes: ['mcp:read', 'mcp:write'],
    })
  })

  it.each([[undefined], [[]]])('omits scope when there is none to ask for (%j)', (scopes) => {
    expect(request({}, scopes).url.searchParams.has('scope')).toBe(false)
  })

  it("keeps the endpoint's own query and replaces a parameter it repeats (RFC 6749 §3.1)", () => {
    const pending = request({
      authorization_endpoint: 'https://as.example.com/authorize?tenant=a&state=x',
    })
    expect(pending.url.searchParams.get('tenant')).toBe('a')
    expect(pending.url.searchParams.getAll('state')).toEqual([pending.state])
  })

  it('records whether the AS advertises iss (ISS-3)', () => {
    expect(request({ authorization_response_iss_parameter_supported: true }).issRequired).toBe(true)
  })

  it('makes a fresh state and verifier every time', () => {
    const [a, b] = [request(), request()]
    expect(a.state).not.toBe(b.state)
    expect(a.verifier).not.toBe(b.verifier)
  })
})

function respond(pending: PendingAuthorization, params: Record<string, string> | string) {
  const query =
    typeof params === 'string' ? new URLSearchParams(params) : new URLSearchParams(params)
  return () => readAuthorizationResponse(query, pending)
}

function refusal(run: () => unknown, code: AuthorizationErrorCode): AuthorizationError {
  try {
    run()
  } catch (error) {
    expect(error).toBeInstanceOf(AuthorizationError)
    expect((error as AuthorizationError).code).toBe(code)
    expect((error as Error).message).not.toContain('the-code')
    return error as AuthorizationError
  }
  throw new Error('expected a refusal')
}

describe('readAuthorizationResponse: iss (ISS-3, RFC 9207), error, code', () => {
  const advertised = request({ authorization_response_iss_parameter_supported: true })
  const silent = request()

  it('returns the code when iss is advertised and equal', () => {
    expect(respond(advertised, { code: 'the-code', state: advertised.state, iss: ISSUER })()).toBe(
      'the-code',
    )
  })

  it('returns the code when iss is neither advertised nor present', () => {
    expect(respond(silent, { code: 'the-code', state: silent.state })()).toBe('the-code')
  })

  it('refuses an advertised iss that is absent', () => {
    const error = refusal(
      respond(advertised, { code: 'the-code', state: advertised.state }),
      'issuer_mismatch',
    )
    expect(error.message).toMatch(
      /has no iss parameter, but https:\/\/as\.example\.com\/tenant advertises/,
    )
  })

  it.each([
    ['another issuer', 'https://evil.example.com'],
    ['a trailing slash', `${ISSUER}/`],
    ['upper case', ISSUER.toUpperCase()],
    ['an explicit default port', 'https://as.example.com:443/tenant'],
    ['percent-encoding', 'https://as.example.com/%74enant'],
  ])('refuses iss with %s, advertised or not, compared as a plain string', (_name, iss) => {
    for (const pending of [advertised, silent]) {
      refusal(respond(pending, { code: 'the-code', state: pending.state, iss }), 'issuer_mismatch')
    }
  })

  it('checks iss before error: a mix-up error response is not shown', () => {
    const params = {
      state: advertised.state,
      iss: 'https://evil.example.com',
      error: 'access_denied',
      error_description: 'click https://evil.example.com/phish',
    }
    const error = refusal(respond(advertised, params), 'issuer_mismatch')
    expect(error.message).not.toContain('phish')
    expect(error.oauthError).toBeUndefined()
  })

  it('access_denied says what happened and what to do', () => {
    const params = {
      state: silent.state,
      error: 'access_denied',
      error_description: 'User said no',
    }
    const error = refusal(respond(silent, params), 'access_denied')
    expect(error.message).toBe(
      `the login was refused at ${ISSUER} (access_denied: User said no); log in again and approve the request, or ask the server's operator for access`,
    )
    expect(error.oauthError).toBe('access_denied')
  })

  it('another error is authorization_failed; control characters in the description are blanked', () => {
    const params = {
      state: silent.state,
      error: 'invalid_scope',
      error_description: 'bad\nscope\u001b[31m',
    }
    const error = refusal(respond(silent, params), 'authorization_failed')
    expect(error.message).toBe(
      `the authorization server ${ISSUER} answered with an error (invalid_scope: bad scope [31m)`,
    )
  })

  it('refuses a response without a code', () => {
    refusal(respond(silent, { state: silent.state }), 'invalid_authorization_response')
    refusal(respond(silent, { state: silent.state, code: '' }), 'invalid_authorization_response')
  })

  it.each(['code', 'iss', 'error'])('refuses a repeated %s parameter', (name) => {
    const query = `state=${silent.state}&code=the-code&${name}=a&${name}=b`
    refusal(respond(silent, query), 'invalid_authorization_response')
  })

  it('refuses a state that is not this login (defence in depth; the listener discards those)', () => {
    refusal(
      respond(silent, { code: 'the-code', state: 'forged' }),
      'invalid_authorization_response',
    )
  })
})

describe('callbackMatchesState (STATE-1)', () => {
  it.each([
    ['the same state', (s: string) => `state=${s}`, true],
    ['no state', () => '', false],
    ['another state', () => 'state=forged', false],
    ['an empty state', () => 'state=', false],
    ['the state twice', (s: string) => `state=${s}&state=${s}`, false],
    ['a prefix of the state', (s: string) => `state=${s.slice(0, 10)}`, false],
  ])('%s → %s', (_name, query, expected) => {
    const state = 'N2xsRmY1bTVkcFdWT2F4T0Z6M3c2cE1OS0RmQ0FNS2w'
    expect(callbackMatchesState(new URLSearchParams(query(state)), state)).toBe(expected)
  })
})
