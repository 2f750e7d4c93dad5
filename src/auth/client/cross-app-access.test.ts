import { afterEach, describe, expect, it } from 'vitest'
import { AuthorizationError } from './authorize-errors.js'
import type { GrantContext } from './client-credentials.js'
import {
  ID_JAG_TOKEN_TYPE,
  ID_TOKEN_TYPE,
  JWT_BEARER_GRANT,
  requestCrossAppAccessToken,
  requestIdJag,
  TOKEN_EXCHANGE_GRANT,
} from './cross-app-access.js'
import type { CrossAppAccess } from './cross-app-access.js'
import { json, routeServer } from './loopback-server-test-support.js'
import type { Answer, RouteServer } from './loopback-server-test-support.js'
import { clientFetchPolicy } from './url-policy.js'

const servers: RouteServer[] = []
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()))
})

const NOW = 1_800_000_000
const RESOURCE = 'https://mcp.example.com/mcp'
const ID_TOKEN = 'eyJ.id-token.sig'
const JAG = 'eyJ.id-jag.sig'
const SECRET = 'xaa-secret'
const policy = clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 2000 })

const jagAnswer = json({
  access_token: JAG,
  issued_token_type: ID_JAG_TOKEN_TYPE,
  token_type: 'N_A',
})

async function servers2(
  idp: Answer = jagAnswer,
  as: Answer = json({ access_token: 'at-1', token_type: 'Bearer', expires_in: 300 }),
) {
  const server = await routeServer(() => ({ '/idp/token': idp, '/as/token': as }))
  servers.push(server)
  const issuer = `${server.origin}/as`
  const context: GrantContext = {
    authorizationServer: {
      issuer,
      metadata: {
        issuer,
        authorization_endpoint: `${issuer}/authorize`,
        token_endpoint: `${issuer}/token`,
        code_challenge_methods_supported: ['S256'],
      },
    },
    resource: RESOURCE,
    policy,
    now: () => NOW,
  }
  const access: CrossAppAccess = {
    idpTokenEndpoint: `${server.origin}/idp/token`,
    idpClientId: 'idp-client',
    idToken: ID_TOKEN,
    clientId: 'xaa-client',
    clientSecret: SECRET,
  }
  const form = (path: string) =>
    Object.fromEntries(
      new URLSearchParams(server.requests.find((r) => r.path === path)?.body ?? ''),
    )
  return { server, issuer, context, access, form }
}

describe('cross-app access (SEP-990)', () => {
  it('exchanges the ID token for an ID-JAG, then uses it as a jwt-bearer grant with Basic auth', async () => {
    const { server, issuer, context, access, form } = await servers2()
    const credentials = await requestCrossAppAccessToken(context, access, ['mcp:basic'])
    expect(credentials).toEqual({
      access_token: 'at-1',
      expires_at: NOW + 300,
      scope: 'mcp:basic',
      token_type: 'Bearer',
    })
    expect(server.paths()).toEqual(['/idp/token', '/as/token'])
    const [exchange, bearer] = server.requests
    expect(exchange?.authorization).toBeUndefined()
    expect(form('/idp/token')).toEqual({
      grant_type: TOKEN_EXCHANGE_GRANT,
      requested_token_type: ID_JAG_TOKEN_TYPE,
      audience: issuer,
      resource: RESOURCE,
      subject_token: ID_TOKEN,
      subject_token_type: ID_TOKEN_TYPE,
      scope: 'mcp:basic',
      client_id: 'idp-client',
    })
    expect(bearer?.authorization).toBe(
      `Basic ${Buffer.from(`xaa-client:${SECRET}`).toString('base64')}`,
    )
    expect(form('/as/token')).toEqual({
      grant_type: JWT_BEARER_GRANT,
      assertion: JAG,
      scope: 'mcp:basic',
      resource: RESOURCE,
    })
  })

  it('authenticates at the IdP with Basic when it has a secret', async () => {
    const { server, context, access } = await servers2()
    await requestIdJag(context, { ...access, idpClientSecret: 'idp-secret' }, undefined)
    expect(server.requests[0]?.authorization).toBe(
      `Basic ${Buffer.from('idp-client:idp-secret').toString('base64')}`,
    )
    expect(server.requests[0]?.body).not.toContain('client_id')
    expect(server.requests[0]?.body).not.toContain('scope')
  })

  it('refuses an IdP answer that is not an ID-JAG, and stops there', async () => {
    const { server, context, access } = await servers2(
      json({
        access_token: 'x',
        issued_token_type: 'urn:ietf:params:oauth:token-type:access_token',
      }),
    )
    await expect(requestCrossAppAccessToken(context, access, undefined)).rejects.toMatchObject({
      code: 'invalid_token_response',
    })
    expect(server.paths()).toEqual(['/idp/token'])
  })

  it('maps IdP and AS refusals to messages without the ID token, the ID-JAG or the secret', async () => {
    const idp = await servers2({
      status: 400,
      json: { error: 'invalid_grant', error_description: `expired ${ID_TOKEN}` },
    })
    const first = await requestCrossAppAccessToken(idp.context, idp.access, undefined).catch(
      (e: unknown) => e,
    )
    expect(first).toBeInstanceOf(AuthorizationError)
    expect((first as Error).message).toMatch(
      /identity provider's token endpoint .* refused the request \(invalid_grant: expired \[redacted\]\)/,
    )
    expect((first as Error).message).not.toContain(ID_TOKEN)

    const as = await servers2(jagAnswer, {
      status: 401,
      json: { error: 'invalid_client', error_description: `no ${SECRET} for ${JAG}` },
    })
    const second = await requestCrossAppAccessToken(as.context, as.access, undefined).catch(
      (e: unknown) => e,
    )
    expect(second).toMatchObject({ code: 'token_request_failed', oauthError: 'invalid_client' })
    const message = (second as Error).message
    expect(message).toMatch(/client credentials were refused/)
    expect(message).not.toContain(SECRET)
    expect(message).not.toContain(JAG)
  })
})
