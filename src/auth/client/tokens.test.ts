import { randomBytes } from 'node:crypto'
import { afterEach, describe, expect, it } from 'vitest'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import {
  DEFAULT_TOKEN_LIFETIME_SECONDS,
  exchangeAuthorizationCode,
  readTokenResponse,
  refreshAccessToken,
} from './tokens.js'
import type { TokenContext } from './tokens.js'
import { clientAuthentication, clientAuthMethod } from './tokens-request.js'
import type { TokenEndpointClient } from './tokens-request.js'
import { clientFetchPolicy } from './url-policy.js'

/** The confidential client's secret, generated per run. */
const SECRET = randomBytes(16).toString('base64url')

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const NOW = 1_800_000_000
const ISSUER = 'https://as.example.com'
const RESOURCE = 'https://mcp.example.com/mcp'

function metadata(extra: Partial<AuthorizationServerMetadata> = {}): AuthorizationServerMetadata {
  return {
    issuer: ISSUER,
    authorization_endpoint: `${ISSUER}/authorize`,
    token_endpoint: `${ISSUER}/token`,
    code_challenge_methods_supported: ['S256'],
    ...extra,
  }
}

describe('readTokenResponse (RFC 6749 §5.1)', () => {
  it('keeps a Bearer token (any case), expires_in as expires_at, scope, refresh token', () => {
    const json = {
      access_token: 'at-1',
      token_type: 'bEaReR',
      expires_in: 120,
      refresh_token: 'rt-1',
      scope: 'b a  b',
    }
    expect(readTokenResponse(json, ISSUER, 'x', NOW + 0.7)).toEqual({
      access_token: 'at-1',
      refresh_token: 'rt-1',
      expires_at: NOW + 120,
      scope: 'b a',
      token_type: 'Bearer',
    })
  })

  it('assumes an hour without expires_in, the requested scope without scope, no refresh token (RT-5)', () => {
    expect(
      readTokenResponse({ access_token: 'at', token_type: 'Bearer' }, ISSUER, 'mcp:read', NOW),
    ).toEqual({
      access_token: 'at',
      expires_at: NOW + DEFAULT_TOKEN_LIFETIME_SECONDS,
      scope: 'mcp:read',
      token_type: 'Bearer',
    })
  })

  it('accepts expires_in as a string of digits', () => {
    expect(
      readTokenResponse(
        { access_token: 'at', token_type: 'Bearer', expires_in: '60' },
        ISSUER,
        '',
        NOW,
      ).expires_at,
    ).toBe(NOW + 60)
  })

  it.each<[string, Record<string, unknown> | undefined, RegExp]>([
    ['not JSON', undefined, /not a JSON object/],
    ['no access token', { token_type: 'Bearer' }, /no access_token/],
    ['an empty access token', { access_token: '', token_type: 'Bearer' }, /no access_token/],
    [
      'a DPoP token',
      { access_token: 'secret-at', token_type: 'DPoP' },
      /token_type "DPoP"; mcp-pa uses Bearer tokens only/,
    ],
    ['no token type', { access_token: 'secret-at' }, /token_type none/],
    [
      'a negative lifetime',
      { access_token: 'secret-at', token_type: 'Bearer', expires_in: -1 },
      /expires_in/,
    ],
    [
      'a lifetime in words',
      { access_token: 'secret-at', token_type: 'Bearer', expires_in: 'soon' },
      /expires_in/,
    ],
    [
      'an empty refresh token',
      { access_token: 'secret-at', token_type: 'Bearer', refresh_token: '' },
      /refresh_token/,
    ],
    [
      'a scope list',
      { access_token: 'secret-at', token_type: 'Bearer', scope: ['a'] },
      /scope that is not a string/,
    ],
  ])('refuses %s, naming no token', (_name, json, message) => {
    try {
      readTokenResponse(json, ISSUER, '', NOW)
      throw new Error('expected a refusal')
    } catch (error) {
      expect(error).toBeInstanceOf(AuthorizationError)
      expect(error).toMatchObject({ code: 'invalid_token_response' })
      expect((error as Error).message).toMatch(message)
      expect((error as Error).message).not.toContain('secret-at')
    }
  })
})

describe('client authentication at the token endpoint (TEA-1)', () => {
  const pub: TokenEndpointClient = { client_id: 'pub' }
  const conf: TokenEndpointClient = { client_id: 'conf', client_secret: SECRET }
  it.each<[string, TokenEndpointClient, Partial<AuthorizationServerMetadata>, string]>([
    ['no secret', pub, { token_endpoint_auth_methods_supported: ['client_secret_basic'] }, 'none'],
    ['a secret, no list (RFC 8414 default)', conf, {}, 'client_secret_basic'],
    [
      'a secret, basic listed',
      conf,
      { token_endpoint_auth_methods_supported: ['client_secret_post', 'client_secret_basic'] },
      'client_secret_basic',
    ],
    [
      'a secret, only post',
      conf,
      { token_endpoint_auth_methods_supported: ['client_secret_post'] },
      'client_secret_post',
    ],
    ['a secret, only none', conf, { token_endpoint_auth_methods_supported: ['none'] }, 'none'],
    [
      'the registered method wins',
      { ...conf, token_endpoint_auth_method: 'client_secret_post' },
      {},
      'client_secret_post',
    ],
  ])('%s → %s', (_name, client, extra, method) => {
    expect(clientAuthMethod(client, metadata(extra))).toBe(method)
  })

  it('revocation uses its own list when the AS publishes one', () => {
    const m = metadata({
      token_endpoint_auth_methods_supported: ['client_secret_basic'],
      revocation_endpoint_auth_methods_supported: ['client_secret_post'],
    })
    expect(clientAuthMethod(conf, m, 'revocation')).toBe('client_secret_post')
  })

  it('basic form-encodes id and secret before base64 (RFC 6749 §2.3.1)', () => {
    const { headers, params } = clientAuthentication(
      { client_id: 'a b:c', client_secret: 'p&ss é' },
      'client_secret_basic',
    )
    expect(params).toEqual({})
    const decoded = Buffer.from(
      (headers.authorization ?? '').replace('Basic ', ''),
      'base64',
    ).toString()
    expect(decoded).toBe('a+b%3Ac:p%26ss+%C3%A9')
  })

  it('post and none put the client in the body', () => {
    expect(clientAuthentication(conf, 'client_secret_post')).toEqual({
      headers: {},
      params: { client_id: 'conf', client_secret: SECRET },
    })
    expect(clientAuthentication(conf, 'none')).toEqual({
      headers: {},
      params: { client_id: 'conf' },
    })
  })
})

async function tokenEndpoint(
  answer: Answer,
  extra: Partial<AuthorizationServerMetadata> = {},
  client: TokenEndpointClient = { client_id: 'pub' },
) {
  const server = await routeServer(() => ({ '/token': answer }))
  servers.push(server)
  const context: TokenContext = {
    authorizationServer: {
      issuer: server.origin,
      metadata: {
        ...metadata(extra),
        issuer: server.origin,
        token_endpoint: `${server.origin}/token`,
      },
    },
    client,
    resource: RESOURCE,
    policy: clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 2000 }),
    now: () => NOW,
  }
  return { server, context }
}

const TOKENS = json({
  access_token: 'new-at',
  token_type: 'Bearer',
  expires_in: 60,
  refresh_token: 'new-rt',
})

describe('the token requests (PKCE-1, RES-1, TEA-1)', () => {
  it('authorization_code carries code, verifier, redirect URI, resource and the public client_id', async () => {
    const { server, context } = await tokenEndpoint(TOKENS)
    const credentials = await exchangeAuthorizationCode(context, {
      code: 'the-code',
      verifier: 'v'.repeat(43),
      redirectUri: 'http://127.0.0.1:1/callback',
      scopes: ['a'],
    })
    expect(credentials).toEqual({
      access_token: 'new-at',
      refresh_token: 'new-rt',
      expires_at: NOW + 60,
      scope: 'a',
      token_type: 'Bearer',
    })
    const [sent] = server.requests
    expect(sent?.authorization).toBeUndefined()
    expect(Object.fromEntries(new URLSearchParams(sent?.body))).toEqual({
      grant_type: 'authorization_code',
      code: 'the-code',
      code_verifier: 'v'.repeat(43),
      redirect_uri: 'http://127.0.0.1:1/callback',
      resource: RESOURCE,
      client_id: 'pub',
    })
  })

  it('refresh_token carries resource, keeps the scope, and authenticates a confidential client (basic)', async () => {
    const { server, context } = await tokenEndpoint(
      json({ access_token: 'new-at', token_type: 'Bearer' }),
      {},
      { client_id: 'conf', client_secret: SECRET },
    )
    const credentials = await refreshAccessToken(context, { refreshToken: 'old-rt', scope: 'a b' })
    expect(credentials).toMatchObject({ access_token: 'new-at', scope: 'a b' })
    expect(credentials.refresh_token).toBeUndefined()
    const [sent] = server.requests
    expect(sent?.authorization).toBe(`Basic ${Buffer.from(`conf:${SECRET}`).toString('base64')}`)
    expect(Object.fromEntries(new URLSearchParams(sent?.body))).toEqual({
      grant_type: 'refresh_token',
      refresh_token: 'old-rt',
      resource: RESOURCE,
    })
  })

  it('client_secret_post when that is all the AS takes', async () => {
    const { server, context } = await tokenEndpoint(
      TOKENS,
      { token_endpoint_auth_methods_supported: ['client_secret_post'] },
      { client_id: 'conf', client_secret: SECRET },
    )
    await refreshAccessToken(context, { refreshToken: 'old-rt', scope: '' })
    const [sent] = server.requests
    expect(sent?.authorization).toBeUndefined()
    expect(new URLSearchParams(sent?.body).get('client_secret')).toBe(SECRET)
  })

  it('invalid_grant on refresh is login_required: "log in again"; echoed secrets are blanked', async () => {
    const { context } = await tokenEndpoint(
      json({ error: 'invalid_grant', error_description: 'grant old-rt revoked' }, { status: 400 }),
    )
    const error = await refreshAccessToken(context, { refreshToken: 'old-rt', scope: '' }).then(
      () => new AuthorizationError('login_required', 'expected a rejection'),
      (e: unknown) => e as AuthorizationError,
    )
    expect(error).toMatchObject({
      code: 'login_required',
      oauthError: 'invalid_grant',
      status: 400,
    })
    expect(error.message).toBe(
      `${context.authorizationServer.issuer} no longer accepts the stored refresh token (invalid_grant: grant [redacted] revoked); log in again`,
    )
  })

  it.each<[string, Answer, RegExp]>([
    [
      'invalid_grant on the code',
      json({ error: 'invalid_grant', error_description: 'code the-code used' }, { status: 400 }),
      /refused the request \(invalid_grant: code \[redacted\] used\)$/,
    ],
    [
      'invalid_client',
      json({ error: 'invalid_client' }, { status: 401 }),
      /\(invalid_client\)\. The client credentials were refused: check --client-id and the secret given with --client-secret-env or --client-secret-prompt/,
    ],
    [
      'invalid_target',
      json({ error: 'invalid_target' }, { status: 400 }),
      /does not issue tokens for https:\/\/mcp\.example\.com\/mcp$/,
    ],
    ['a 500 page', { status: 500, body: '<h1>oops</h1>' }, /refused the request \(HTTP 500\)$/],
  ])('%s is token_request_failed with what to do', async (_name, answer, message) => {
    const { context } = await tokenEndpoint(answer)
    const error = await exchangeAuthorizationCode(context, {
      code: 'the-code',
      verifier: 'v'.repeat(43),
      redirectUri: 'http://127.0.0.1:1/callback',
      scopes: undefined,
    }).then(
      () => new AuthorizationError('login_required', 'expected a rejection'),
      (e: unknown) => e as AuthorizationError,
    )
    expect(error).toMatchObject({ code: 'token_request_failed' })
    expect(error.message).toMatch(message)
    expect(error.message).not.toContain('the-code')
  })
})
