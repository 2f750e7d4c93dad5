import { randomBytes, randomUUID } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../src/audit/index.js'
import { createAdapterFactory } from '../../src/auth/server/adapter.js'
import {
  AdminError,
  addClient,
  addUser,
  generatePassword,
  listClients,
  listGrants,
  listSigningKeys,
  listUsers,
  resetUserPassword,
  revokeClient,
  revokeGrant,
  rotateSigningKeys,
  setUserDisabled,
  showClient,
} from '../../src/auth/server/admin/index.js'
import { hashClientSecret } from '../../src/auth/server/client-secrets.js'
import { keyEncryptionKey } from '../../src/auth/server/keys.js'
import { verifyPassword } from '../../src/auth/server/passwords.js'
import type { Storage } from '../../src/storage/ports.js'
import { openSqliteStorage } from '../../src/storage/sqlite/open.js'
import { Provider } from '../support/oidc-provider-types.js'
import { rawOauthDump } from '../helpers/oauth-dump.js'

// The administration operations on a real SQLite file: what they store (raw rows hold no
// secret or password), what oidc-provider makes of an added client, and their refusals.

const dir = mkdtempSync(join(tmpdir(), 'mcp-pa-admin-'))
const path = join(dir, 'as.db')
let storage: Storage
let audit: ReturnType<typeof memoryAuditSink>
beforeAll(async () => {
  storage = await openSqliteStorage({ path })
})
afterAll(async () => {
  await storage.close()
  rmSync(dir, { recursive: true, force: true })
})
beforeEach(() => {
  audit = memoryAuditSink()
})

const rawDump = (): string => rawOauthDump(path)

/** The AdminError code and message of a refused operation. */
async function refusal(promise: Promise<unknown>): Promise<{ code: string; message: string }> {
  try {
    await promise
  } catch (error) {
    if (error instanceof AdminError) return { code: error.code, message: error.message }
    throw error
  }
  throw new Error('expected the operation to be refused')
}

const password = () => `pw ${randomBytes(12).toString('base64url')}`

describe('users', () => {
  it('adds an account with an argon2id hash only, and refuses a duplicate or weak password', async () => {
    const secret = password()
    const account = await addUser(
      storage.accounts,
      { username: ' Alice ', password: secret, displayName: 'Alice Example' },
      { audit },
    )
    expect(account).toMatchObject({ username: 'alice', displayName: 'Alice Example' })
    expect(account).not.toHaveProperty('passwordHash')
    expect(audit.events).toEqual([
      { type: 'as.account_changed', accountId: account.id, change: 'created' },
    ])
    expect(rawDump()).not.toContain(secret)
    const stored = await storage.accounts.findByUsername('alice')
    expect(await verifyPassword(stored?.passwordHash ?? '', secret)).toBe(true)

    expect(
      await refusal(
        addUser(storage.accounts, { username: 'ALICE', password: password() }, { audit }),
      ),
    ).toEqual({ code: 'conflict', message: 'an account named alice already exists' })
    expect(
      await refusal(addUser(storage.accounts, { username: 'weak', password: 'short' }, { audit })),
    ).toEqual({
      code: 'invalid_input',
      message:
        'The password is too short: use at least 12 characters (a few words make a good one).',
    })
    expect(
      (
        await refusal(
          addUser(
            storage.accounts,
            { username: 'samename1234', password: 'SameName1234' },
            { audit },
          ),
        )
      ).message,
    ).toBe('The password cannot be the username.')
    expect(
      (await refusal(addUser(storage.accounts, { username: ' ', password: password() }, { audit })))
        .code,
    ).toBe('invalid_input')
    expect(await storage.accounts.findByUsername('weak')).toBeUndefined()
    expect(audit.events).toHaveLength(1)
  })

  it('generates passwords that pass the policy', async () => {
    const generated = generatePassword()
    expect(generated).toMatch(/^[\w-]{24}$/)
    expect(generatePassword()).not.toBe(generated)
    await addUser(storage.accounts, { username: 'gen', password: generated }, { audit })
  })

  it('disables and enables once each, and resets a password clearing the lockout', async () => {
    const account = await addUser(
      storage.accounts,
      { username: `u-${randomUUID()}`, password: password() },
      { audit },
    )
    const off = await setUserDisabled(storage.accounts, account.username, true, { audit })
    expect(off).toMatchObject({ changed: true, account: { disabled: true } })
    expect(
      (await setUserDisabled(storage.accounts, account.username, true, { audit })).changed,
    ).toBe(false)
    expect((await storage.accounts.get(account.id))?.disabled).toBe(true)
    await setUserDisabled(storage.accounts, account.username, false, { audit })
    expect((await storage.accounts.get(account.id))?.disabled).toBe(false)

    for (let i = 0; i < 6; i++) await storage.accounts.recordFailure(account.id, Date.now())
    expect((await storage.accounts.get(account.id))?.lockedUntil).toBeDefined()
    const fresh = password()
    const reset = await resetUserPassword(storage.accounts, account.username, fresh, { audit })
    expect(reset).toMatchObject({ failedAttempts: 0 })
    expect(reset.lockedUntil).toBeUndefined()
    const stored = await storage.accounts.get(account.id)
    expect(stored).toMatchObject({ failedAttempts: 0 })
    expect(await verifyPassword(stored?.passwordHash ?? '', fresh)).toBe(true)
    expect(audit.events.map((e) => (e.type === 'as.account_changed' ? e.change : e.type))).toEqual([
      'created',
      'disabled',
      'enabled',
      'password_reset',
    ])
    expect(
      (
        await refusal(
          resetUserPassword(storage.accounts, account.username, 'aaaaaaaaaaaaaa', { audit }),
        )
      ).message,
    ).toMatch(/one character repeated/)
    expect(
      await refusal(setUserDisabled(storage.accounts, 'nobody-here', true, { audit })),
    ).toEqual({
      code: 'not_found',
      message: 'there is no account nobody-here: "users list" shows them',
    })
  })

  it('lists accounts without password hashes', async () => {
    const users = await listUsers(storage.accounts)
    expect(users.map((u) => u.username)).toContain('alice')
    expect(JSON.stringify(users)).not.toContain('$argon2')
  })
})

describe('clients', () => {
  let provider: { Client: { find(id: string): Promise<Record<string, unknown> | undefined> } }
  beforeAll(async () => {
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const jwk = { ...(await exportJWK(privateKey)), kid: 'k1', alg: 'ES256', use: 'sig' }
    provider = new Provider('https://as.example', {
      adapter: createAdapterFactory(storage.artifacts),
      jwks: { keys: [jwk] },
      clientAuthMethods: [
        'none',
        'client_secret_basic',
        'client_secret_post',
        'private_key_jwt',
        'tls_client_auth',
      ],
      clientDefaults: { id_token_signed_response_alg: 'ES256' },
      extraClientMetadata: { properties: ['mcp_pa_origin'] },
      features: {
        clientCredentials: { enabled: true },
        mTLS: { enabled: true, tlsClientAuth: true, certificateBoundAccessTokens: true },
      },
    }) as unknown as typeof provider
  })

  it.each([
    ['a public native client', { redirectUris: ['http://127.0.0.1/cb'] }],
    [
      'a confidential web client',
      { redirectUris: ['https://app.example/cb'], authMethod: 'client_secret_post' as const },
    ],
    ['a client_credentials client', { grantTypes: ['client_credentials' as const] }],
    [
      'a private_key_jwt client',
      {
        redirectUris: ['https://app.example/cb'],
        authMethod: 'private_key_jwt' as const,
        jwksUri: 'https://app.example/jwks.json',
      },
    ],
    [
      'an mTLS client',
      {
        grantTypes: ['client_credentials' as const],
        authMethod: 'tls_client_auth' as const,
        tlsSubjectDn: 'CN=app',
      },
    ],
  ])('stores %s that oidc-provider loads as given', async (_label, input) => {
    const { client, secret: shownOnce } = await addClient(
      storage.artifacts,
      { name: 'App', ...input },
      { audit },
    )
    const clientId = String(client.client_id)
    const loaded = (await provider.Client.find(clientId)) as Record<string, unknown> | undefined
    expect(loaded).toBeDefined()
    const stored = await storage.artifacts.find('Client', clientId)
    expect(stored?.expiresAt).toBeUndefined()
    expect(loaded).toMatchObject({
      clientId,
      clientName: 'App',
      grantTypes: client.grant_types,
      redirectUris: client.redirect_uris,
      tokenEndpointAuthMethod: client.token_endpoint_auth_method,
    })
    const method = String(client.token_endpoint_auth_method)
    expect(shownOnce !== undefined).toBe(method.startsWith('client_secret_'))
    if (shownOnce !== undefined) {
      expect(client.client_secret).toBe('(hashed)')
      expect(stored?.payload.client_secret).toBe(hashClientSecret(shownOnce))
      expect(loaded?.clientSecret).toBe(hashClientSecret(shownOnce))
      expect(rawDump()).not.toContain(shownOnce)
    }
    expect(audit.events).toEqual([
      {
        type: 'as.client_registered',
        clientId,
        via: 'admin',
        authMethod: client.token_endpoint_auth_method,
      },
    ])
  })

  it('refuses a taken client id and a private JWK, storing nothing', async () => {
    await addClient(
      storage.artifacts,
      { name: 'A', id: 'fixed-id', redirectUris: ['http://[::1]/cb'] },
      { audit },
    )
    expect(
      await refusal(
        addClient(
          storage.artifacts,
          { name: 'B', id: 'fixed-id', redirectUris: ['http://[::1]/cb'] },
          { audit },
        ),
      ),
    ).toEqual({ code: 'conflict', message: 'a client with id fixed-id already exists' })
    const { privateKey } = await generateKeyPair('ES256', { extractable: true })
    const privateJwk = await exportJWK(privateKey)
    const refused = await refusal(
      addClient(
        storage.artifacts,
        {
          name: 'C',
          id: 'leaky',
          redirectUris: ['https://c.example/cb'],
          authMethod: 'private_key_jwt',
          jwks: { keys: [privateJwk] },
        },
        { audit },
      ),
    )
    expect(refused.message).toMatch(/private or symmetric key \(it has "d"\)/)
    expect(await storage.artifacts.find('Client', 'leaky')).toBeUndefined()
    expect(rawDump()).not.toContain(String(privateJwk.d))
  })

  it('shows a client with its secret hash hidden, and lists origins', async () => {
    // A second later than the clients above (listing is newest first, by the second).
    const { client } = await addClient(
      storage.artifacts,
      { name: 'Shown', redirectUris: ['https://s.example/cb'], authMethod: 'client_secret_basic' },
      { audit, now: () => Date.now() + 2000 },
    )
    const shown = await showClient(storage.artifacts, String(client.client_id))
    expect(shown?.client_secret).toBe('(hashed)')
    expect(JSON.stringify(shown)).not.toMatch(/sha256:/)
    expect(await showClient(storage.artifacts, 'unknown-client')).toBeUndefined()
    await storage.artifacts.upsert(
      'Client',
      'dcr-client',
      { client_id: 'dcr-client', client_id_issued_at: 1, mcp_pa_origin: 'dcr' },
      3600,
    )
    const listed = await listClients(storage.artifacts)
    expect(listed[0]).toMatchObject({ clientId: client.client_id, name: 'Shown', origin: 'admin' })
    expect(listed.find((c) => c.clientId === 'dcr-client')).toMatchObject({
      origin: 'dcr',
      expiresAt: expect.any(Number),
    })
    expect(JSON.stringify(listed)).not.toMatch(/sha256:/)
  })
})

/** A grant with an access token, a refresh token and a code, as oidc-provider stores them. */
async function seedGrant(accountId: string, clientId: string) {
  const grantId = randomUUID()
  const iat = Math.floor(Date.now() / 1000)
  await storage.artifacts.upsert(
    'Grant',
    grantId,
    {
      jti: grantId,
      kind: 'Grant',
      accountId,
      clientId,
      iat,
      exp: iat + 3600,
      openid: { scope: 'openid' },
      resources: { 'https://mcp.example/mcp': 'memories:read tasks:write' },
    },
    3600,
  )
  const tokens = ['AccessToken', 'RefreshToken', 'AuthorizationCode'] as const
  const ids = tokens.map(() => randomBytes(32).toString('base64url'))
  for (const [i, model] of tokens.entries()) {
    await storage.artifacts.upsert(
      model,
      ids[i]!,
      { jti: ids[i], grantId, accountId, clientId },
      600,
    )
  }
  return { grantId, tokens: tokens.map((model, i) => [model, ids[i]!] as const) }
}

describe('grants', () => {
  it('lists grants by account and client, and revokes one with its tokens', async () => {
    const [alice, bob] = [randomUUID(), randomUUID()]
    const client = `client-${randomUUID()}`
    const first = await seedGrant(alice, client)
    const second = await seedGrant(bob, client)
    const listed = await listGrants(storage.artifacts, { accountId: alice })
    expect(listed).toEqual([
      {
        grantId: first.grantId,
        accountId: alice,
        clientId: client,
        scopes: ['memories:read', 'openid', 'tasks:write'],
        resources: ['https://mcp.example/mcp'],
        issuedAt: expect.any(Number),
        expiresAt: expect.any(Number),
      },
    ])
    expect(
      (await listGrants(storage.artifacts, { clientId: client })).map((g) => g.grantId),
    ).toEqual(expect.arrayContaining([first.grantId, second.grantId]))

    const result = await revokeGrant(storage.artifacts, first.grantId, { audit })
    expect(result).toMatchObject({ tokens: 3, grant: { grantId: first.grantId } })
    for (const [model, id] of first.tokens) {
      expect(await storage.artifacts.find(model, id)).toBeUndefined()
    }
    for (const [model, id] of second.tokens) {
      expect(await storage.artifacts.find(model, id)).toBeDefined()
    }
    expect(await listGrants(storage.artifacts, { accountId: alice })).toEqual([])
    expect(audit.events).toEqual([
      {
        type: 'as.token_revoked',
        clientId: client,
        kind: 'grant',
        fingerprint: expect.stringMatching(/^sha256:[0-9a-f]{16}$/),
        by: 'admin',
      },
    ])
    expect(await refusal(revokeGrant(storage.artifacts, first.grantId, { audit }))).toMatchObject({
      code: 'not_found',
    })
    expect((await refusal(revokeGrant(storage.artifacts, '', { audit }))).code).toBe(
      'invalid_input',
    )
  })

  it('revoking a client deletes it and every grant and token it holds', async () => {
    const { client } = await addClient(
      storage.artifacts,
      { name: 'Doomed', redirectUris: ['http://127.0.0.1/cb'] },
      { audit },
    )
    const clientId = String(client.client_id)
    const grants = [
      await seedGrant(randomUUID(), clientId),
      await seedGrant(randomUUID(), clientId),
    ]
    const bystander = await seedGrant(randomUUID(), `other-${randomUUID()}`)
    audit.events.length = 0
    expect(await revokeClient(storage.artifacts, clientId, { audit })).toEqual({
      clientDeleted: true,
      grants: 2,
      tokens: 6,
    })
    expect(await storage.artifacts.find('Client', clientId)).toBeUndefined()
    for (const { grantId, tokens } of grants) {
      expect(await storage.artifacts.find('Grant', grantId)).toBeUndefined()
      for (const [model, id] of tokens)
        expect(await storage.artifacts.find(model, id)).toBeUndefined()
    }
    expect(await storage.artifacts.find('Grant', bystander.grantId)).toBeDefined()
    expect(audit.events.map((e) => e.type)).toEqual([
      'as.token_revoked',
      'as.token_revoked',
      'as.client_revoked',
    ])
    expect(audit.events.at(-1)).toEqual({ type: 'as.client_revoked', clientId, grants: 2 })

    // A metadata-document client is not stored: its grants are revoked all the same.
    const cimd = 'https://app.example/client.json'
    await seedGrant(randomUUID(), cimd)
    expect(await revokeClient(storage.artifacts, cimd, { audit })).toMatchObject({
      clientDeleted: false,
      grants: 1,
    })
    expect(await refusal(revokeClient(storage.artifacts, clientId, { audit }))).toEqual({
      code: 'not_found',
      message: `there is no client ${clientId} (and no grant to it)`,
    })
  })
})

describe('signing keys', () => {
  it('rotates (retiring the old key) and lists without key material', async () => {
    const kek = keyEncryptionKey(randomBytes(32))
    let now = Date.now()
    const first = await rotateSigningKeys(
      storage.signingKeys,
      kek,
      { accessTokenTtlSeconds: 60 },
      { audit, now: () => now },
    )
    expect(first).toMatchObject({ active: { alg: 'ES256', state: 'active' }, retired: [] })
    expect(first.retiring).toBeUndefined()
    now += 1000
    const second = await rotateSigningKeys(
      storage.signingKeys,
      kek,
      { accessTokenTtlSeconds: 60, alg: 'EdDSA' },
      { audit, now: () => now },
    )
    expect(second.active.alg).toBe('EdDSA')
    expect(second.retiring).toMatchObject({
      kid: first.active.kid,
      state: 'retiring',
      retireAfter: now + 60_000,
    })
    now += 61_000
    const third = await rotateSigningKeys(
      storage.signingKeys,
      kek,
      { accessTokenTtlSeconds: 60 },
      { audit, now: () => now },
    )
    expect(third.retired).toEqual([first.active.kid])
    expect(audit.events).toEqual([
      { type: 'as.key_rotated', kid: first.active.kid },
      { type: 'as.key_rotated', kid: second.active.kid, previousKid: first.active.kid },
      { type: 'as.key_rotated', kid: third.active.kid, previousKid: second.active.kid },
    ])
    const keys = await listSigningKeys(storage.signingKeys)
    expect(keys.map((k) => [k.kid, k.state])).toEqual([
      [third.active.kid, 'active'],
      [second.active.kid, 'retiring'],
      [first.active.kid, 'retired'],
    ])
    for (const key of keys) {
      expect(Object.keys(key).sort()).toEqual(
        [
          'activatedAt',
          'alg',
          'createdAt',
          'kid',
          'state',
          ...Object.keys(key).filter((k) => k.startsWith('retire')),
        ].sort(),
      )
    }
    expect(
      await refusal(
        rotateSigningKeys(
          storage.signingKeys,
          kek,
          { accessTokenTtlSeconds: 60, alg: 'RS256' as never },
          { audit },
        ),
      ),
    ).toMatchObject({ code: 'invalid_input' })
    // Another KEK cannot open the active key: nothing rotates.
    await expect(
      rotateSigningKeys(
        storage.signingKeys,
        keyEncryptionKey(randomBytes(32)),
        { accessTokenTtlSeconds: 60 },
        { audit },
      ),
    ).rejects.toThrow(/cannot decrypt signing key/)
    expect((await listSigningKeys(storage.signingKeys))[0]?.kid).toBe(third.active.kid)
  })
})
