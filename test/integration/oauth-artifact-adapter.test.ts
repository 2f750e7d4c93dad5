import { createHash, randomBytes } from 'node:crypto'
import { once } from 'node:events'
import { mkdtempSync, rmSync } from 'node:fs'
import { createServer } from 'node:http'
import type { Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createAdapterFactory } from '../../src/auth/server/adapter.js'
import type { Storage } from '../../src/storage/ports.js'
import { loadSqliteDriver } from '../../src/storage/sqlite/driver.js'
import { openSqliteStorage } from '../../src/storage/sqlite/open.js'
import { CookieJar } from '../support/cookie-jar.js'
import { Provider } from '../support/oidc-provider-types.js'
import type { OidcProvider } from '../support/oidc-provider-types.js'

// A real oidc-provider whose every stateful artifact (sessions, interactions, grants, codes,
// access and refresh tokens, dynamically registered clients) lives in our SQLite ArtifactStore
// through createAdapterFactory: authorization code + PKCE, refresh with rotation and reuse
// detection, code replay, 50 parallel redemptions of one code.

const REDIRECT_URI = 'http://127.0.0.1/callback'
const dir = mkdtempSync(join(tmpdir(), 'mcp-pa-adapter-'))
const dbPath = join(dir, 'as.db')

let storage: Storage
let server: Server
let provider: OidcProvider
let issuer: string
let clientId: string

async function startProvider(): Promise<void> {
  const { privateKey } = await generateKeyPair('ES256', { extractable: true })
  const jwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
  server = createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`
  provider = new Provider(issuer, {
    adapter: createAdapterFactory(storage.artifacts),
    jwks: { keys: [jwk] },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    issueRefreshToken: async (_ctx: unknown, client: { grantTypeAllowed(t: string): boolean }) =>
      client.grantTypeAllowed('refresh_token'),
    rotateRefreshToken: true,
    clientDefaults: { id_token_signed_response_alg: 'ES256' },
    renderError: (ctx: { type: string; body: unknown }, out: unknown) => {
      ctx.type = 'json'
      ctx.body = out
    },
    features: {
      devInteractions: { enabled: false },
      registration: { enabled: true },
      revocation: { enabled: true },
    },
  })
  const callback = provider.callback()
  server.on('request', (req, res) => {
    if (!req.url?.startsWith('/interaction/')) return callback(req, res)
    interact(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500).end(String(error))
    })
  })
}

/** Logs in `alice`, then grants what the consent prompt asks for. */
async function interact(
  req: Parameters<OidcProvider['interactionDetails']>[0],
  res: Parameters<OidcProvider['interactionDetails']>[1],
): Promise<void> {
  const details = await provider.interactionDetails(req, res)
  if (details.prompt.name === 'login') {
    await provider.interactionFinished(req, res, { login: { accountId: 'alice' } })
    return
  }
  const accountId = details.session?.accountId ?? 'alice'
  const grant =
    (details.grantId === undefined ? undefined : await provider.Grant.find(details.grantId)) ??
    new provider.Grant({ accountId, clientId: String(details.params.client_id) })
  const { missingOIDCScope, missingOIDCClaims } = details.prompt.details
  if (missingOIDCScope !== undefined) grant.addOIDCScope(missingOIDCScope.join(' '))
  if (missingOIDCClaims !== undefined) grant.addOIDCClaims(missingOIDCClaims)
  const grantId = await grant.save()
  await provider.interactionFinished(req, res, { consent: { grantId } })
}

/** Follows the authorization redirects by hand; returns the code and its PKCE verifier. */
async function authorize(): Promise<{ code: string; verifier: string }> {
  const verifier = randomBytes(32).toString('base64url')
  const state = randomBytes(16).toString('base64url')
  const jar = new CookieJar()
  let url = new URL(provider.urlFor('authorization'))
  url.search = new URLSearchParams({
    client_id: clientId,
    response_type: 'code',
    redirect_uri: REDIRECT_URI,
    scope: 'openid',
    state,
    code_challenge: createHash('sha256').update(verifier).digest('base64url'),
    code_challenge_method: 'S256',
  }).toString()
  for (let hop = 0; hop < 10; hop++) {
    const response = await fetch(url, { redirect: 'manual', headers: jar.headers() })
    jar.store(response)
    const location = response.headers.get('location')
    if (location === null) {
      throw new Error(`HTTP ${response.status} at ${url.pathname}: ${await response.text()}`)
    }
    await response.body?.cancel()
    const next = new URL(location, url)
    if (`${next.origin}${next.pathname}` === REDIRECT_URI) {
      expect(next.searchParams.get('state')).toBe(state)
      expect(next.searchParams.get('error')).toBeNull()
      return { code: next.searchParams.get('code') ?? '', verifier }
    }
    url = next
  }
  throw new Error('too many redirects')
}

interface TokenAnswer {
  status: number
  body: Record<string, unknown>
}

async function token(params: Record<string, string>): Promise<TokenAnswer> {
  const response = await fetch(provider.urlFor('token'), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ client_id: clientId, ...params }),
  })
  return { status: response.status, body: (await response.json()) as Record<string, unknown> }
}

const redeem = (code: string, verifier: string) =>
  token({
    grant_type: 'authorization_code',
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  })

async function userinfo(accessToken: string): Promise<number> {
  const response = await fetch(provider.urlFor('userinfo'), {
    headers: { authorization: `Bearer ${accessToken}` },
  })
  await response.body?.cancel()
  return response.status
}

const rawRows = async (): Promise<Array<Record<string, unknown>>> => {
  const Driver = await loadSqliteDriver()
  const db = new Driver(dbPath, { readonly: true })
  try {
    return db.prepare('SELECT * FROM oauth_artifacts').all() as Array<Record<string, unknown>>
  } finally {
    db.close()
  }
}

describe('oidc-provider on the SQLite ArtifactStore adapter', () => {
  beforeAll(async () => {
    storage = await openSqliteStorage({ path: dbPath })
    await startProvider()
    // Dynamic registration: the client itself is an artifact of the store.
    const response = await fetch(provider.urlFor('registration'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        application_type: 'native',
        redirect_uris: [REDIRECT_URI],
        grant_types: ['authorization_code', 'refresh_token'],
        response_types: ['code'],
        token_endpoint_auth_method: 'none',
      }),
    })
    expect(response.status, await response.clone().text()).toBe(201)
    clientId = String(((await response.json()) as { client_id: string }).client_id)
  })

  afterAll(async () => {
    if (server !== undefined) {
      const closed = new Promise<void>((done) => server.close(() => done()))
      server.closeAllConnections()
      await closed
    }
    await storage?.close()
    rmSync(dir, { recursive: true, force: true })
  })

  it('runs authorization code + PKCE, refresh with rotation, and reuse detection', async () => {
    const { code, verifier } = await authorize()
    const first = await redeem(code, verifier)
    expect(first.status, JSON.stringify(first.body)).toBe(200)
    const accessToken = String(first.body.access_token)
    const refreshToken = String(first.body.refresh_token)
    expect(first.body.refresh_token).toEqual(expect.any(String))
    expect(await userinfo(accessToken)).toBe(200)

    const refreshed = await token({ grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200)
    const rotated = String(refreshed.body.refresh_token)
    expect(rotated).not.toBe(refreshToken)
    expect(await userinfo(String(refreshed.body.access_token))).toBe(200)

    // The raw token and code values are nowhere in the database.
    const dump = JSON.stringify(await rawRows())
    for (const secret of [code, accessToken, refreshToken, rotated]) {
      expect(dump).not.toContain(secret)
    }
    const models = new Set((await rawRows()).map((row) => row.model))
    for (const model of ['Client', 'Session', 'Grant', 'AuthorizationCode', 'RefreshToken']) {
      expect(models, model).toContain(model)
    }

    // Reusing the rotated-away refresh token revokes the whole grant (every model's artifacts).
    const reuse = await token({ grant_type: 'refresh_token', refresh_token: refreshToken })
    expect(reuse.status).toBe(400)
    expect(reuse.body.error).toBe('invalid_grant')
    const after = await token({ grant_type: 'refresh_token', refresh_token: rotated })
    expect(after.status).toBe(400)
    expect(await userinfo(String(refreshed.body.access_token))).toBe(401)
  })

  it('a code is single-use: its replay fails and revokes what it issued', async () => {
    const { code, verifier } = await authorize()
    const first = await redeem(code, verifier)
    expect(first.status).toBe(200)
    const replay = await redeem(code, verifier)
    expect(replay.status).toBe(400)
    expect(replay.body.error).toBe('invalid_grant')
    expect(await userinfo(String(first.body.access_token))).toBe(401)
    const refresh = await token({
      grant_type: 'refresh_token',
      refresh_token: String(first.body.refresh_token),
    })
    expect(refresh.body.error).toBe('invalid_grant')
  })

  it('50 parallel redemptions of one code: exactly one succeeds', async () => {
    const { code, verifier } = await authorize()
    const started = performance.now()
    const answers = await Promise.all(Array.from({ length: 50 }, () => redeem(code, verifier)))
    const elapsed = performance.now() - started
    const ok = answers.filter((answer) => answer.status === 200)
    expect(ok).toHaveLength(1)
    expect(answers.filter((answer) => answer.body.error === 'invalid_grant')).toHaveLength(49)
    // Whether the winner's tokens survive depends on the interleaving: a loser that read the
    // code after it was consumed is a replay, and oidc-provider then revokes the grant.
    console.info(`50 parallel redemptions of one code: ${elapsed.toFixed(0)} ms`)
  })

  it('a restarted provider on the same database still knows the client and tokens', async () => {
    const { code, verifier } = await authorize()
    const issued = await redeem(code, verifier)
    expect(issued.status).toBe(200)
    await new Promise<void>((done) => {
      server.close(() => done())
      server.closeAllConnections()
    })
    await startProvider()
    expect(await userinfo(String(issued.body.access_token))).toBe(200)
    const refreshed = await token({
      grant_type: 'refresh_token',
      refresh_token: String(issued.body.refresh_token),
    })
    expect(refreshed.status, JSON.stringify(refreshed.body)).toBe(200)
  })
})
