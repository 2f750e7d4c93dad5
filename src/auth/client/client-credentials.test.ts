import { createPublicKey, generateKeyPairSync } from 'node:crypto'
import { jwtVerify } from 'jose'
import { afterEach, describe, expect, it } from 'vitest'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import { CLIENT_ASSERTION_TYPE } from './client-assertion.js'
import { grantTypeOf, obtainGrantToken } from './client-credentials-grant.js'
import { requestClientCredentialsToken } from './client-credentials.js'
import type { GrantContext } from './client-credentials.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import type { StoreKey, StoredCredentials } from './store/index.js'
import { clientFetchPolicy } from './url-policy.js'

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const NOW = 1_800_000_000
const RESOURCE = 'https://mcp.example.com/mcp'
const SECRET = 's3cr:et/+'
const policy = clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 2000 })

async function tokenServer(answer: Answer = json({ access_token: 'cc-1', token_type: 'Bearer' })) {
  const server = await routeServer(() => ({ '/token': answer }))
  servers.push(server)
  const metadata = (extra: Partial<AuthorizationServerMetadata> = {}) => ({
    issuer: server.origin,
    authorization_endpoint: `${server.origin}/authorize`,
    token_endpoint: `${server.origin}/token`,
    code_challenge_methods_supported: ['S256'],
    ...extra,
  })
  const context = (extra: Partial<AuthorizationServerMetadata> = {}): GrantContext => ({
    authorizationServer: { issuer: server.origin, metadata: metadata(extra) },
    resource: RESOURCE,
    policy,
    now: () => NOW,
  })
  const form = (i = 0) => Object.fromEntries(new URLSearchParams(server.requests[i]?.body ?? ''))
  return { server, context, form }
}

describe('requestClientCredentialsToken (RFC 6749 §4.4)', () => {
  it('client_secret_basic by default: form-encoded id:secret, grant, scope, resource', async () => {
    const { server, context, form } = await tokenServer()
    const credentials = await requestClientCredentialsToken(
      context(),
      { clientId: 'svc 1', clientSecret: SECRET },
      ['mcp:read', 'mcp:write'],
    )
    expect(credentials).toEqual({
      access_token: 'cc-1',
      expires_at: NOW + 3600,
      scope: 'mcp:read mcp:write',
      token_type: 'Bearer',
    })
    const basic = Buffer.from('svc+1:s3cr%3Aet%2F%2B').toString('base64')
    expect(server.requests[0]?.authorization).toBe(`Basic ${basic}`)
    expect(form()).toEqual({
      grant_type: 'client_credentials',
      scope: 'mcp:read mcp:write',
      resource: RESOURCE,
    })
  })

  it('client_secret_post when the AS lists only that; scope omitted when undefined', async () => {
    const { server, context, form } = await tokenServer()
    await requestClientCredentialsToken(
      context({ token_endpoint_auth_methods_supported: ['client_secret_post'] }),
      { clientId: 'svc', clientSecret: SECRET },
      undefined,
    )
    expect(server.requests[0]?.authorization).toBeUndefined()
    expect(form()).toEqual({
      grant_type: 'client_credentials',
      resource: RESOURCE,
      client_id: 'svc',
      client_secret: SECRET,
    })
  })

  it('private_key_jwt: a verifiable assertion for the issuer, no secret, no Basic header', async () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' })
    const privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString()
    const { server, context, form } = await tokenServer()
    await requestClientCredentialsToken(
      context({ token_endpoint_auth_methods_supported: ['private_key_jwt'] }),
      { clientId: 'svc', privateKey: { privateKeyPem, algorithm: 'ES256' } },
      ['mcp:basic'],
    )
    expect(server.requests[0]?.authorization).toBeUndefined()
    const body = form()
    expect(Object.keys(body).sort()).toEqual(
      ['client_assertion', 'client_assertion_type', 'grant_type', 'resource', 'scope'].sort(),
    )
    expect(body.client_assertion_type).toBe(CLIENT_ASSERTION_TYPE)
    const { payload } = await jwtVerify(body.client_assertion ?? '', createPublicKey(privateKey), {
      audience: server.origin,
      issuer: 'svc',
      subject: 'svc',
    })
    expect(payload.jti).toBeTypeOf('string')
  })

  it('invalid_client: a clear message that never echoes the secret', async () => {
    const { context } = await tokenServer({
      status: 401,
      json: { error: 'invalid_client', error_description: `bad secret ${SECRET}` },
    })
    const error = await requestClientCredentialsToken(
      context(),
      { clientId: 'svc', clientSecret: SECRET },
      undefined,
    ).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(AuthorizationError)
    const { code, oauthError, status, message } = error as AuthorizationError
    expect({ code, oauthError, status }).toEqual({
      code: 'token_request_failed',
      oauthError: 'invalid_client',
      status: 401,
    })
    expect(message).toMatch(/refused the request \(invalid_client: bad secret \[redacted\]\)/)
    expect(message).toMatch(/client credentials were refused/)
    expect(message).not.toContain(SECRET)
  })

  it('an answer without error code is reported by HTTP status; a non-Bearer 200 is refused', async () => {
    const failing = await tokenServer({ status: 500, body: 'oops' })
    await expect(
      requestClientCredentialsToken(failing.context(), { clientId: 'a', clientSecret: 'b' }, []),
    ).rejects.toThrow(/refused the request \(HTTP 500\)$/)
    const odd = await tokenServer(json({ access_token: 'x', token_type: 'mac' }))
    await expect(
      requestClientCredentialsToken(odd.context(), { clientId: 'a', clientSecret: 'b' }, []),
    ).rejects.toMatchObject({ code: 'invalid_token_response' })
  })
})

describe('obtainGrantToken', () => {
  it('chooses the scopes like a login (challenge first), stores under (issuer, resource)', async () => {
    const { server, context, form } = await tokenServer(
      json({ access_token: 'cc-2', token_type: 'Bearer', expires_in: 60 }),
    )
    const stored: [StoreKey, StoredCredentials][] = []
    const { authorizationServer } = context({ grant_types_supported: ['client_credentials'] })
    const result = await obtainGrantToken({
      discovery: {
        resource: RESOURCE,
        resourceMetadata: {
          resource: RESOURCE,
          authorization_servers: [server.origin],
          scopes_supported: ['a', 'b'],
        },
        authorizationServer: { ...authorizationServer, metadataUrl: `${server.origin}/x` },
        challengedScopes: ['mcp:basic'],
      },
      store: { put: async (key, credentials) => void stored.push([key, credentials]) },
      policy,
      grant: { type: 'client_credentials', clientId: 'svc', clientSecret: SECRET },
      now: () => NOW,
    })
    expect(form().scope).toBe('mcp:basic')
    expect(result.scopes).toEqual(['mcp:basic'])
    expect(stored).toEqual([
      [
        { issuer: server.origin, resource: RESOURCE },
        { access_token: 'cc-2', expires_at: NOW + 60, scope: 'mcp:basic', token_type: 'Bearer' },
      ],
    ])
  })

  it('names the grant type discovery must find', () => {
    expect(grantTypeOf(undefined)).toBeUndefined()
    expect(grantTypeOf({ type: 'client_credentials', clientId: 'a', clientSecret: 'b' })).toBe(
      'client_credentials',
    )
    expect(
      grantTypeOf({
        type: 'cross_app_access',
        idpTokenEndpoint: 'https://idp/token',
        idpClientId: 'i',
        idToken: 't',
        clientId: 'c',
        clientSecret: 's',
      }),
    ).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer')
  })
})
