import { decodeJwt, decodeProtectedHeader } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBuiltinServer, newPassword, type BuiltinServer } from '../support/builtin-server.js'
import { mcpInitialize } from '../support/mcp-http.js'
import {
  authorizationUrl,
  followAuthorization,
  pkce,
  register,
  tokenRequest,
} from '../support/builtin-flow.js'

/**
 * The built-in authorization server end to end over real HTTP (issue 4): metadata, dynamic
 * registration, the login and consent pages, code + PKCE, RFC 9068 access tokens the MCP
 * endpoint accepts, refresh rotation with the grace window, reuse detection, revocation.
 * Checklist: ASD-1, ASD-6, ASD-7, PKCE-4, RES-3, ISS-2, RT-1, OA-1, REDIR-3, TOK-8.
 */

const SCOPE = 'memories:read memories:write tasks:read tasks:write'
const REDIRECT = 'http://127.0.0.1/callback'
const WEB_REDIRECT = 'https://app.example/callback'

let as: BuiltinServer
const alice = { username: 'alice', password: newPassword() }

async function newClient(kind: 'native' | 'web' = 'native'): Promise<string> {
  const { status, body } = await register(as.issuer, {
    client_name: 'Flow test',
    application_type: kind,
    redirect_uris: [kind === 'native' ? REDIRECT : WEB_REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
  })
  expect(status).toBe(201)
  return body.client_id as string
}

async function login(clientId: string, scope = SCOPE, redirectUri = REDIRECT) {
  const { verifier, challenge } = pkce()
  const url = authorizationUrl(as.issuer, {
    clientId,
    redirectUri,
    scope,
    challenge,
    resource: as.resource,
  })
  const { callback, pages } = await followAuthorization(url, alice)
  expect(callback.searchParams.get('iss')).toBe(as.issuer)
  const code = callback.searchParams.get('code')
  expect(code).toBeTruthy()
  const tokens = await tokenRequest(as.issuer, {
    grant_type: 'authorization_code',
    code: code!,
    code_verifier: verifier,
    redirect_uri: redirectUri,
    client_id: clientId,
    resource: as.resource,
  })
  return { tokens, pages }
}

const mcp = (token: string) => mcpInitialize(as.resource, token)

describe.each(['sqlite', 'postgres'] as const)(
  'built-in authorization server on %s',
  (database) => {
    beforeAll(async () => {
      as = await startBuiltinServer({
        database,
        config: { authentication: { authorization_server: { refresh_grace_period: 2 } } },
      })
      await as.addAccount(alice.username, alice.password)
    })
    afterAll(async () => {
      await as?.stop()
    })

    it('publishes RFC 8414 and OpenID metadata with S256 only, CIMD, iss and the endpoints (ASD-1, ASD-6, ASD-7)', async () => {
      for (const path of [
        '/.well-known/oauth-authorization-server',
        '/.well-known/openid-configuration',
      ]) {
        const response = await fetch(new URL(path, as.issuer))
        expect(response.status).toBe(200)
        const metadata = (await response.json()) as Record<string, any>
        expect(metadata.issuer).toBe(as.issuer)
        expect(metadata.code_challenge_methods_supported).toEqual(['S256'])
        expect(metadata.client_id_metadata_document_supported).toBe(true)
        expect(metadata.authorization_response_iss_parameter_supported).toBe(true)
        expect(metadata.response_types_supported).toEqual(['code'])
        expect(metadata.token_endpoint).toBe(`${as.issuer}/oauth/token`)
        expect(metadata.revocation_endpoint).toBe(`${as.issuer}/oauth/revoke`)
        expect(metadata.introspection_endpoint).toBe(`${as.issuer}/oauth/introspect`)
        expect(metadata.registration_endpoint).toBe(`${as.issuer}/oauth/register`)
        expect(metadata.jwks_uri).toBe(`${as.issuer}/oauth/jwks`)
        expect(metadata.scopes_supported).toEqual(expect.arrayContaining(SCOPE.split(' ')))
        expect(metadata.grant_types_supported).not.toContain('implicit')
      }
      const prm = (await (
        await fetch(new URL('/.well-known/oauth-protected-resource/mcp', as.issuer))
      ).json()) as Record<string, any>
      expect(prm.authorization_servers).toEqual([as.issuer])
    })

    it('registers, logs in, asks consent and issues an RFC 9068 token the MCP endpoint accepts', async () => {
      const clientId = await newClient()
      const { tokens, pages } = await login(clientId)
      expect(pages).toEqual(['login', 'consent'])
      expect(tokens.status).toBe(200)
      const { access_token: access, refresh_token: refresh, expires_in: expiresIn } = tokens.body
      expect(typeof refresh).toBe('string')
      expect(expiresIn).toBeLessThanOrEqual(900)
      expect(decodeProtectedHeader(access)).toMatchObject({ typ: 'at+jwt', alg: 'ES256' })
      const claims = decodeJwt(access)
      expect(claims).toMatchObject({
        iss: as.issuer,
        aud: as.resource,
        client_id: clientId,
        scope: SCOPE,
      })
      expect(typeof claims.gid).toBe('string')
      const response = await mcp(access)
      expect(response.status).toBe(200)
      const events = as.events.map((event) => event.type)
      expect(events).toEqual(
        expect.arrayContaining([
          'as.client_registered',
          'as.login_succeeded',
          'as.consent_granted',
          'as.token_issued',
        ]),
      )
    })

    it('skips the consent page for a remembered web client, never for a native (loopback) one (CIMD-7)', async () => {
      const web = await newClient('web')
      await login(web, SCOPE, WEB_REDIRECT)
      expect((await login(web, SCOPE, WEB_REDIRECT)).pages).toEqual(['login'])
      const native = await newClient()
      const first = await login(native)
      // Anyone can run a loopback listener with a native client's id: the engine always asks,
      // and each login gets a grant of its own (reuse detected on one install spares the other).
      const second = await login(native)
      expect(second.pages).toEqual(['login', 'consent'])
      const grantOf = (tokens: typeof first.tokens) => decodeJwt(tokens.body.access_token).gid
      expect(grantOf(second.tokens)).not.toBe(grantOf(first.tokens))
    })

    it('rotates refresh tokens; a retry within the grace window gets the same pair; reuse after it revokes the grant (RT-1)', async () => {
      const clientId = await newClient()
      const { tokens } = await login(clientId)
      const first = tokens.body.refresh_token as string
      const refresh = (token: string) =>
        tokenRequest(as.issuer, {
          grant_type: 'refresh_token',
          refresh_token: token,
          client_id: clientId,
          resource: as.resource,
        })
      const rotated = await refresh(first)
      expect(rotated.status).toBe(200)
      expect(rotated.body.refresh_token).not.toBe(first)
      const retry = await refresh(first)
      expect(retry.status).toBe(200)
      expect(retry.body).toEqual(rotated.body)
      await new Promise((resolve) => setTimeout(resolve, 2500))
      const reuse = await refresh(first)
      expect(reuse.status).toBe(400)
      expect(reuse.body.error).toBe('invalid_grant')
      const afterReuse = await refresh(rotated.body.refresh_token as string)
      expect(afterReuse.body.error).toBe('invalid_grant')
      expect(as.events.some((event) => event.type === 'as.refresh_reuse_detected')).toBe(true)
      expect((await mcp(rotated.body.access_token as string)).status).toBe(401)
    })

    it('refuses a token request for another resource with invalid_target (RES-3)', async () => {
      const clientId = await newClient()
      const { verifier, challenge } = pkce()
      const url = authorizationUrl(as.issuer, {
        clientId,
        redirectUri: REDIRECT,
        scope: SCOPE,
        challenge,
        resource: 'https://evil.example/mcp',
      })
      const { callback } = await followAuthorization(url, alice)
      expect(callback.searchParams.get('error')).toBe('invalid_target')
      expect(callback.searchParams.get('iss')).toBe(as.issuer)
      void verifier
    })
  },
)
