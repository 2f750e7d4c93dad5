import { decodeJwt, exportJWK, generateKeyPair } from 'jose'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { loadSqliteDriver } from '../../src/storage/sqlite/driver.js'
import { memoryAuditSink } from '../../src/audit/index.js'
import { revokeClient } from '../../src/auth/server/admin/index.js'
import { CLIENT_CACHE_MS } from '../../src/auth/server/provider.js'
import { newPassword, startBuiltinServer, type BuiltinServer } from '../support/builtin-server.js'
import {
  authorize,
  discover,
  expectRefusedWithin,
  insecure,
  mcpStatus,
  nativeClient,
  redeem,
  refreshRequest,
  refusal,
  registerClient,
  type Client,
  type Server,
} from '../support/oauth4webapi-client.js'

/**
 * Client authentication at the built-in authorization server (issue 4 §9), with oauth4webapi as
 * the client: client secrets (Basic and, when configured, POST) stored only as SHA-256 hashes,
 * `private_key_jwt` with replay detection, client credentials for the MCP endpoint, revocation
 * (RFC 7009) and introspection (RFC 7662). Checklist: TOK-4 (audience), RES-3, RT-1, and the
 * client-credentials extension (§9: `private_key_jwt` or `client_secret_basic`).
 */

const SCOPE = 'memories:read tasks:read'
const WEB_REDIRECT = 'https://app.example/cb'
const NATIVE_REDIRECT = 'http://127.0.0.1/cb'

let server: BuiltinServer
let as: Server
const alice = { username: 'alice', password: newPassword() }

beforeAll(async () => {
  server = await startBuiltinServer({
    config: {
      authentication: {
        client_auth_methods: [
          'none',
          'client_secret_basic',
          'client_secret_post',
          'private_key_jwt',
        ],
      },
    },
  })
  await server.addAccount(alice.username, alice.password)
  as = await discover(server.issuer)
})
afterAll(async () => {
  await server?.stop()
})

/** A confidential web client registered with `method`; its secret as the registration returned it. */
async function confidential(method: 'client_secret_basic' | 'client_secret_post') {
  const client = await registerClient(as, {
    client_name: `confidential ${method}`,
    application_type: 'web',
    redirect_uris: [WEB_REDIRECT],
    token_endpoint_auth_method: method,
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
  })
  const secret = client.client_secret
  if (typeof secret !== 'string') throw new Error('no client_secret in the registration response')
  const auth = method === 'client_secret_basic' ? oauth.ClientSecretBasic : oauth.ClientSecretPost
  return { client, secret, auth }
}

async function codeFlow(client: Client, auth: oauth.ClientAuth, redirectUri = WEB_REDIRECT) {
  const authorized = await authorize(as, client, alice, {
    redirectUri,
    scope: SCOPE,
    resource: server.resource,
  })
  return redeem(as, client, auth, authorized, server.resource)
}

const refresh = async (client: Client, auth: oauth.ClientAuth, token: string) =>
  oauth.processRefreshTokenResponse(
    as,
    client,
    await refreshRequest(as, client, auth, token, server.resource),
  )

describe('client secrets (OA-1)', () => {
  it.each(['client_secret_basic', 'client_secret_post'] as const)(
    '%s: code flow and refresh work; a wrong secret → invalid_client 401 (OA-1, RT-1)',
    async (method) => {
      const { client, secret, auth } = await confidential(method)
      expect(client.token_endpoint_auth_method).toBe(method)
      const tokens = await codeFlow(client, auth(secret))
      expect(await mcpStatus(server.resource, tokens.access_token)).toBe(200)
      const rotated = await refresh(client, auth(secret), tokens.refresh_token!)
      expect(rotated.refresh_token).not.toBe(tokens.refresh_token)
      expect(await mcpStatus(server.resource, rotated.access_token)).toBe(200)

      const wrong = auth(`${secret}x`)
      expect(
        await refusal(
          oauth.processRefreshTokenResponse(
            as,
            client,
            await refreshRequest(as, client, wrong, rotated.refresh_token!, server.resource),
          ),
        ),
      ).toEqual({ status: 401, error: 'invalid_client' })
      // The right secret still works afterwards: a failed authentication consumed nothing.
      await refresh(client, auth(secret), rotated.refresh_token!)
    },
  )

  it('the database holds only a sha256: hash of a client secret, never the secret (OA-1, TOK-7)', async () => {
    const { client, secret } = await confidential('client_secret_basic')
    const stored = await server.storage.artifacts.find('Client', client.client_id)
    expect(stored?.payload.client_secret).toMatch(/^sha256:/)
    expect(stored?.payload.client_secret).not.toContain(secret)
    // The driver this Node runs (better-sqlite3 12 on Node 20, 13 on later lines).
    const Database = await loadSqliteDriver()
    const db = new Database(server.shared.file!, { readonly: true, fileMustExist: true })
    try {
      const rows = db.prepare('SELECT * FROM oauth_artifacts').all()
      expect(rows.length).toBeGreaterThan(0)
      const dump = JSON.stringify(rows, (_key, value: unknown) =>
        Buffer.isBuffer(value) ? value.toString('latin1') : value,
      )
      expect(dump).toContain(client.client_id)
      expect(dump).not.toContain(secret)
      expect(dump).not.toContain(Buffer.from(secret).toString('base64'))
    } finally {
      db.close()
    }
  })

  it('the metadata lists client_secret_post once authentication.client_auth_methods enables it (TEA-1)', () => {
    // Off by default: builtin-as-negative.test.ts registers it against the default methods.
    expect(as.token_endpoint_auth_methods_supported).toEqual(
      expect.arrayContaining([
        'none',
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
      ]),
    )
  })
})

describe('private_key_jwt and client credentials (§9 client-credentials extension, TOK-4)', () => {
  async function keyClient() {
    const { privateKey, publicKey } = await generateKeyPair('ES256')
    const kid = `k-${Date.now()}`
    const jwk = { ...(await exportJWK(publicKey)), kid, alg: 'ES256', use: 'sig' }
    const client = await registerClient(as, {
      client_name: 'machine client',
      grant_types: ['client_credentials'],
      response_types: [],
      redirect_uris: [],
      token_endpoint_auth_method: 'private_key_jwt',
      token_endpoint_auth_signing_alg: 'ES256',
      jwks: { keys: [jwk] },
    })
    return { client, key: { key: privateKey, kid } }
  }
  const grant = (client: Client, auth: oauth.ClientAuth) =>
    oauth.clientCredentialsGrantRequest(
      as,
      client,
      auth,
      { resource: server.resource, scope: SCOPE },
      insecure,
    )

  it('client_credentials with private_key_jwt → a token whose aud is the MCP endpoint, accepted there (TOK-4, RES-3)', async () => {
    const { client, key } = await keyClient()
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await grant(client, oauth.PrivateKeyJwt(key)),
    )
    const claims = decodeJwt(tokens.access_token)
    expect(claims).toMatchObject({
      iss: server.issuer,
      aud: server.resource,
      client_id: client.client_id,
    })
    expect(tokens.refresh_token).toBeUndefined()
    expect(await mcpStatus(server.resource, tokens.access_token)).toBe(200)
  })

  it('a replayed client assertion (same jti) → invalid_client 401 (OA-1, RFC 7523 §3)', async () => {
    const { client, key } = await keyClient()
    const jti = oauth.generateRandomState()
    const sameJti = oauth.PrivateKeyJwt(key, {
      [oauth.modifyAssertion]: (_header, payload) => {
        payload.jti = jti
      },
    })
    await oauth.processClientCredentialsResponse(as, client, await grant(client, sameJti))
    expect(
      await refusal(
        oauth.processClientCredentialsResponse(as, client, await grant(client, sameJti)),
      ),
    ).toEqual({ status: 401, error: 'invalid_client' })
    // A fresh assertion still works.
    await oauth.processClientCredentialsResponse(
      as,
      client,
      await grant(client, oauth.PrivateKeyJwt(key)),
    )
  })

  it('a client revoked from another process (`mcp-pa clients revoke`) is refused within the client cache TTL, and its token soon after (OA-1)', async () => {
    const { client, key } = await keyClient()
    const tokens = await oauth.processClientCredentialsResponse(
      as,
      client,
      await grant(client, oauth.PrivateKeyJwt(key)),
    )
    // The admin command works on the database, not through the running server.
    await revokeClient(server.storage.artifacts, client.client_id, { audit: memoryAuditSink() })
    const revokedAt = Date.now()
    let status = 200
    while (status === 200 && Date.now() - revokedAt < CLIENT_CACHE_MS + 2000) {
      const response = await grant(client, oauth.PrivateKeyJwt(key))
      status = response.status
      await response.body?.cancel()
      if (status === 200) await new Promise((resolve) => setTimeout(resolve, 200))
    }
    expect(status).toBe(401)
    expect(Date.now() - revokedAt).toBeLessThan(CLIENT_CACHE_MS + 2000)
    // The guard checks the client of a client-credentials token too (≤ 10 s grant cache).
    await expectRefusedWithin(server.resource, tokens.access_token)
  })

  it('an assertion signed by another key → invalid_client 401 (OA-1)', async () => {
    const { client, key } = await keyClient()
    const other = await generateKeyPair('ES256')
    expect(
      await refusal(
        oauth.processClientCredentialsResponse(
          as,
          client,
          await grant(client, oauth.PrivateKeyJwt({ key: other.privateKey, kid: key.kid })),
        ),
      ),
    ).toEqual({ status: 401, error: 'invalid_client' })
  })
})

// Independent clients; the wait for the guard's grant cache overlaps the others.
describe.concurrent(
  'revocation (RFC 7009) and introspection (RFC 7662), our choice per checklist §11',
  () => {
    it('a confidential client introspects its live refresh token (active), revokes it, then it is inactive and refresh fails (RT-1)', async () => {
      const { client, secret } = await confidential('client_secret_basic')
      const auth = oauth.ClientSecretBasic(secret)
      const tokens = await codeFlow(client, auth)
      const refreshToken = tokens.refresh_token!
      const introspect = async () =>
        oauth.processIntrospectionResponse(
          as,
          client,
          await oauth.introspectionRequest(as, client, auth, refreshToken, {
            ...insecure,
            additionalParameters: { token_type_hint: 'refresh_token' },
          }),
        )
      expect(await introspect()).toMatchObject({
        active: true,
        client_id: client.client_id,
        iss: server.issuer,
      })
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, client, auth, refreshToken, {
          ...insecure,
          additionalParameters: { token_type_hint: 'refresh_token' },
        }),
      )
      expect(server.events).toContainEqual(
        expect.objectContaining({ type: 'as.token_revoked', clientId: client.client_id }),
      )
      expect(await introspect()).toEqual({ active: false })
      expect(
        await refusal(
          oauth.processRefreshTokenResponse(
            as,
            client,
            await refreshRequest(as, client, auth, refreshToken, server.resource),
          ),
        ),
      ).toEqual({ status: 400, error: 'invalid_grant' })
      // Revoking a refresh token revokes its grant: the access token stops working too.
      await expectRefusedWithin(server.resource, tokens.access_token)
    }, 20_000)

    it("another client cannot revoke a client's token: a public one's attempt has no effect, a confidential one's → invalid_request (OA-1)", async () => {
      const owner = await registerClient(as, nativeClient(NATIVE_REDIRECT))
      const tokens = await codeFlow(owner, oauth.None(), NATIVE_REDIRECT)
      const refreshToken = tokens.refresh_token!
      const stranger = await registerClient(as, nativeClient(NATIVE_REDIRECT))
      // RFC 7009 §2.2: answered as a success, so a public client cannot probe for live tokens.
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(as, stranger, oauth.None(), refreshToken, insecure),
      )
      const { client, secret } = await confidential('client_secret_basic')
      expect(
        await refusal(
          oauth.processRevocationResponse(
            await oauth.revocationRequest(
              as,
              client,
              oauth.ClientSecretBasic(secret),
              refreshToken,
              insecure,
            ),
          ),
        ),
      ).toEqual({ status: 400, error: 'invalid_request' })
      // A token this server never issued: a success without effect too (RFC 7009 §2.2).
      await oauth.processRevocationResponse(
        await oauth.revocationRequest(
          as,
          stranger,
          oauth.None(),
          oauth.generateRandomState(),
          insecure,
        ),
      )
      // Nothing was revoked, so the audit log says nothing was.
      expect(server.events).not.toContainEqual(
        expect.objectContaining({ type: 'as.token_revoked', clientId: stranger.client_id }),
      )
      expect(server.events).not.toContainEqual(
        expect.objectContaining({ type: 'as.token_revoked', clientId: client.client_id }),
      )
      // Still the owner's, and still live.
      await refresh(owner, oauth.None(), refreshToken)
    })

    it('a public client may not introspect: even its own live token reads as inactive (OA-1)', async () => {
      const client = await registerClient(as, nativeClient(NATIVE_REDIRECT))
      const tokens = await codeFlow(client, oauth.None(), NATIVE_REDIRECT)
      const response = await oauth.introspectionRequest(
        as,
        client,
        oauth.None(),
        tokens.refresh_token!,
        insecure,
      )
      expect(response.status).toBe(200)
      expect(await oauth.processIntrospectionResponse(as, client, response)).toEqual({
        active: false,
      })
      // The token itself is fine.
      await refresh(client, oauth.None(), tokens.refresh_token!)
    })
  },
)
