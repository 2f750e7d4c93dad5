import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import type { DiscoveredAuthorizationServer } from '../../src/auth/client/authorization-server-metadata.js'
import { AuthorizationError } from '../../src/auth/client/authorize-errors.js'
import { login } from '../../src/auth/client/authorize-login.js'
import type { LoginOptions, LoginResult } from '../../src/auth/client/authorize-login.js'
import { createFileBackend, createTokenStore } from '../../src/auth/client/store/index.js'
import type { StoredCredentials, TokenStore } from '../../src/auth/client/store/index.js'
import { getValidToken } from '../../src/auth/client/tokens-valid.js'
import type { GetValidTokenOptions } from '../../src/auth/client/tokens-valid.js'
import { revokeCredentials } from '../../src/auth/client/tokens-revoke.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import {
  CONFIDENTIAL_CLI_CLIENT,
  introspect,
  LOOPBACK_POLICY as policy,
  RESOURCE,
  startClientFlowIdp,
} from '../support/client-flows.js'
import type { TestIdp } from '../support/oidc-idp.js'

/**
 * After login, against the real IdP: refresh ahead of expiry with rotation persisted before
 * use, single flight, `invalid_grant` → "log in again", RFC 7009 revocation on logout.
 */

const sentinel = logSentinel(import.meta.filename)
const keep = <T extends Pick<StoredCredentials, 'access_token' | 'refresh_token'>>(c: T): T => {
  sentinel.secret(c.access_token)
  if (c.refresh_token !== undefined) sentinel.secret(c.refresh_token)
  return c
}

let idp: TestIdp
let as: DiscoveredAuthorizationServer
let dir: string
let store: TokenStore

beforeAll(async () => {
  ;({ idp, as } = await startClientFlowIdp())
})
afterAll(async () => {
  await idp.close()
  sentinel.assertClean()
})
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-pa-client-tokens-'))
  store = createTokenStore(createFileBackend({ dir }), { lockDir: join(dir, 'locks') })
})
afterEach(() => rm(dir, { recursive: true, force: true }))

async function loggedIn(extra: Partial<LoginOptions> = {}): Promise<LoginResult> {
  const result = await login({
    discovery: {
      resource: RESOURCE,
      resourceMetadata: { resource: RESOURCE, authorization_servers: [idp.issuer] },
      authorizationServer: as,
      challengedScopes: ['memories:read', 'tasks:read'],
    },
    store,
    policy,
    mode: 'headless',
    print: (line) => sentinel.log(`${line}\n`),
    ...extra,
  })
  keep(result.credentials)
  expect(result.credentials.refresh_token).toEqual(expect.any(String))
  return result
}

const valid = (extra: Partial<GetValidTokenOptions> = {}) =>
  getValidToken({ store, authorizationServer: as, resource: RESOURCE, policy, ...extra })

async function refusal(promise: Promise<unknown>): Promise<AuthorizationError> {
  const error = await promise.then(
    () => new Error('expected a rejection'),
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(AuthorizationError)
  sentinel.log(`${(error as Error).message}\n`)
  return error as AuthorizationError
}

describe('getValidToken: refresh ahead of expiry, rotation persisted (RT-2, RES-1)', () => {
  it('returns the stored token while it has more than 60 s left, without a request', async () => {
    const { credentials } = await loggedIn()
    const now = () => credentials.expires_at - 61
    expect(await valid({ now })).toEqual(credentials)
  })

  it('refreshes within 60 s of expiry: a new pair, rotated and stored before it is returned', async () => {
    const { credentials, key } = await loggedIn()
    const next = keep(await valid({ now: () => credentials.expires_at - 30 }))
    expect(next.access_token).not.toBe(credentials.access_token)
    expect(next.refresh_token).toEqual(expect.any(String))
    expect(next.refresh_token).not.toBe(credentials.refresh_token) // public client: rotated
    expect(next.scope).toBe('memories:read tasks:read')
    // Read back through a fresh backend: the new pair is what the disk holds.
    expect(await createFileBackend({ dir }).get(key)).toEqual(next)
    expect(await introspect(idp, next.access_token)).toMatchObject({
      active: true,
      aud: RESOURCE,
      sub: 'alice',
      scope: 'memories:read tasks:read',
    })
  })

  it('refreshes a token the server refused (401 invalid_token) even before it expires', async () => {
    const { credentials } = await loggedIn()
    const next = keep(await valid({ rejectedAccessToken: credentials.access_token }))
    expect(next.access_token).not.toBe(credentials.access_token)
    // Another caller refused the same old token: the store already holds a new one.
    expect(await valid({ rejectedAccessToken: credentials.access_token })).toEqual(next)
  })

  it('single flight: concurrent callers share one refresh (a second would reuse a spent token)', async () => {
    const { credentials } = await loggedIn()
    const now = () => credentials.expires_at - 30
    const results = await Promise.all(Array.from({ length: 4 }, () => valid({ now })))
    expect(new Set(results.map((r) => keep(r).access_token)).size).toBe(1)
  })

  it('a spent (rotated) refresh token gives invalid_grant → login_required, "log in again"', async () => {
    const { credentials, key } = await loggedIn()
    keep(await valid({ now: () => credentials.expires_at - 30 }))
    await store.put(key, credentials) // the old pair, as a stale copy would hold it
    const error = await refusal(valid({ now: () => credentials.expires_at - 30 }))
    expect(error).toMatchObject({
      code: 'login_required',
      oauthError: 'invalid_grant',
      status: 400,
    })
    expect(error.message).toMatch(
      /no longer accepts the stored refresh token \(invalid_grant.*\); log in again/,
    )
  })

  it('expired without a refresh token, or never logged in: login_required, no request', async () => {
    const { credentials, key } = await loggedIn()
    const { refresh_token: _dropped, ...accessOnly } = credentials
    await store.put(key, accessOnly)
    const expired = await refusal(valid({ now: () => credentials.expires_at + 1 }))
    expect(expired.message).toBe(
      `the access token expired and ${idp.issuer} issued no refresh token; log in again: mcp-pa login ${RESOURCE}`,
    )
    await store.delete(key)
    const none = await refusal(valid())
    expect(none.code).toBe('login_required')
  })
})

describe('revokeCredentials: RFC 7009 on logout', () => {
  it('revokes the refresh token, then the access token (public client)', async () => {
    const { credentials, client } = await loggedIn()
    const result = await revokeCredentials({ authorizationServer: as, client, policy }, credentials)
    expect(result).toEqual({
      supported: true,
      refresh_token: 'revoked',
      access_token: 'revoked',
      problems: [],
    })
    expect(await introspect(idp, credentials.access_token)).toEqual({ active: false })
    const error = await refusal(valid({ now: () => credentials.expires_at - 30 }))
    expect(error).toMatchObject({ code: 'login_required', oauthError: 'invalid_grant' })
  })

  it('authenticates a confidential client at the revocation endpoint (client_secret_basic)', async () => {
    const { client_id: clientId, client_secret: clientSecret } = CONFIDENTIAL_CLI_CLIENT
    sentinel.secret(clientSecret)
    const { credentials, client } = await loggedIn({ preRegistered: { clientId, clientSecret } })
    const result = await revokeCredentials({ authorizationServer: as, client, policy }, credentials)
    expect(result).toMatchObject({ refresh_token: 'revoked', access_token: 'revoked' })
    expect(await introspect(idp, credentials.access_token)).toEqual({ active: false })
  })

  it('reports, without throwing, an AS that refuses the client', async () => {
    const { credentials, client } = await loggedIn()
    const stranger = { ...client, client_id: 'mcp-pa-nobody' }
    const result = await revokeCredentials(
      { authorizationServer: as, client: stranger, policy },
      credentials,
    )
    expect(result).toMatchObject({
      supported: true,
      refresh_token: 'failed',
      access_token: 'failed',
    })
    expect(result.problems[0]).toMatch(/did not revoke the refresh token \(invalid_client/)
    for (const line of result.problems) sentinel.log(`${line}\n`)
    expect(await introspect(idp, credentials.access_token)).toMatchObject({ active: true })
  })

  it('says so when the AS has no revocation endpoint (nothing sent)', async () => {
    const { revocation_endpoint: _none, ...metadata } = as.metadata
    const result = await revokeCredentials(
      { authorizationServer: { issuer: as.issuer, metadata }, client: { client_id: 'x' }, policy },
      {
        access_token: randomBytes(16).toString('base64url'),
        refresh_token: randomBytes(16).toString('base64url'),
      },
    )
    expect(result).toEqual({
      supported: false,
      refresh_token: 'failed',
      access_token: 'failed',
      problems: [
        `${as.issuer} has no revocation endpoint; its tokens stay valid until they expire`,
      ],
    })
  })
})
