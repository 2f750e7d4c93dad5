import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  INVALID_CREDENTIALS_MESSAGE,
  authenticateLocal,
} from '../../src/auth/server/login-attempts.js'
import { hashPassword } from '../../src/auth/server/passwords.js'
import {
  SETUP_TOKEN_TTL_SECONDS,
  completeSetup,
  createSetupLink,
  setupTokenUsable,
} from '../../src/auth/server/setup-link.js'
import type { Storage } from '../../src/storage/ports.js'
import { loadSqliteDriver } from '../../src/storage/sqlite/driver.js'
import { openSqliteStorage } from '../../src/storage/sqlite/open.js'

// Local accounts on a real SQLite file: login with backoff, the one-time setup link, and no
// password or setup token in clear in any row. Every secret is generated here.

const BetterSqlite3 = await loadSqliteDriver()
const dir = mkdtempSync(join(tmpdir(), 'mcp-pa-accounts-'))
const path = join(dir, 'as.db')
let storage: Storage
beforeAll(async () => {
  storage = await openSqliteStorage({ path })
})
afterAll(async () => {
  await storage.close()
  rmSync(dir, { recursive: true, force: true })
})

function rawDump(): string {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return JSON.stringify([
      db.prepare('SELECT * FROM oauth_accounts').all(),
      db.prepare('SELECT * FROM oauth_artifacts').all(),
    ])
  } finally {
    db.close()
  }
}

const secret = (): string => randomBytes(18).toString('base64url')

describe('local accounts on SQLite', () => {
  const password = secret()
  const setupPasswords: string[] = []
  const tokens: string[] = []

  it('prints a one-time setup link only while no account exists, and it works once', async () => {
    const t = Date.now()
    const link = await createSetupLink(storage.accounts, storage.artifacts, t)
    expect(link).toBeDefined()
    if (link === undefined) return
    tokens.push(link.token)
    expect(link.path).toBe(`/setup/${link.token}`)
    expect(link.token).toMatch(/^[\w-]{43}$/)
    expect(link.expiresAt).toBe(t + SETUP_TOKEN_TTL_SECONDS * 1000)
    expect(await setupTokenUsable(storage.accounts, storage.artifacts, link.token)).toBe(true)
    expect(await setupTokenUsable(storage.accounts, storage.artifacts, secret())).toBe(false)

    // A weak password or bad username leaves the link usable.
    const weak = await completeSetup(storage.accounts, storage.artifacts, link.token, {
      username: 'owner',
      password: 'short',
    })
    expect(weak).toMatchObject({ ok: false, reason: 'weak_password' })
    const badName = await completeSetup(storage.accounts, storage.artifacts, link.token, {
      username: ' ',
      password,
    })
    expect(badName).toMatchObject({ ok: false, reason: 'invalid_username' })

    // Concurrent submissions: exactly one creates the account.
    const other = secret()
    setupPasswords.push(other)
    const results = await Promise.all([
      completeSetup(storage.accounts, storage.artifacts, link.token, {
        username: 'Owner',
        password,
      }),
      completeSetup(storage.accounts, storage.artifacts, link.token, {
        username: 'intruder',
        password: other,
      }),
    ])
    expect(results.filter((r) => r.ok)).toHaveLength(1)
    expect(await storage.accounts.count()).toBe(1)
    expect(await setupTokenUsable(storage.accounts, storage.artifacts, link.token)).toBe(false)
    expect(await createSetupLink(storage.accounts, storage.artifacts)).toBeUndefined()
    const again = await completeSetup(storage.accounts, storage.artifacts, link.token, {
      username: 'third',
      password: secret(),
    })
    expect(again).toMatchObject({ ok: false })
  })

  it('logs in, refuses unknown users and wrong passwords alike, and backs off', async () => {
    const [owner] = await storage.accounts.list()
    expect(owner).toBeDefined()
    if (owner === undefined) return
    // Whichever submission won, make the password known to this test.
    await storage.accounts.setPasswordHash(owner.id, await hashPassword(password))
    const t = 1_900_000_000_000
    const ok = await authenticateLocal(storage.accounts, owner.username.toUpperCase(), password, t)
    expect(ok).toMatchObject({ ok: true, account: { id: owner.id, failedAttempts: 0 } })

    const unknown = await authenticateLocal(storage.accounts, 'nobody', password, t)
    const wrong = await authenticateLocal(storage.accounts, owner.username, secret(), t)
    expect(unknown).toEqual({ ok: false, reason: 'invalid_credentials' })
    expect(wrong).toEqual({ ok: false, reason: 'invalid_credentials' })
    expect(INVALID_CREDENTIALS_MESSAGE).not.toMatch(/username .* not|unknown|no such/i)

    for (let i = 0; i < 4; i++)
      await authenticateLocal(storage.accounts, owner.username, secret(), t)
    // Fifth failure: locked for 1 s; even the right password is not tried.
    expect(await authenticateLocal(storage.accounts, owner.username, password, t)).toEqual({
      ok: false,
      reason: 'locked',
      retryAfter: 1,
    })
    // After the lock: a wrong password doubles it, the right one resets.
    expect(await authenticateLocal(storage.accounts, owner.username, secret(), t + 1000)).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    })
    expect((await storage.accounts.get(owner.id))?.lockedUntil).toBe(t + 1000 + 2000)
    expect(
      await authenticateLocal(storage.accounts, owner.username, password, t + 3000),
    ).toMatchObject({
      ok: true,
    })
    expect(await storage.accounts.get(owner.id)).toMatchObject({
      failedAttempts: 0,
      lastLoginAt: t + 3000,
    })
  })

  it('refuses a disabled account only after the password is right', async () => {
    const [owner] = await storage.accounts.list()
    if (owner === undefined) throw new Error('no account')
    await storage.accounts.setDisabled(owner.id, true)
    const t = 1_900_000_100_000
    expect(await authenticateLocal(storage.accounts, owner.username, secret(), t)).toEqual({
      ok: false,
      reason: 'invalid_credentials',
    })
    expect(await authenticateLocal(storage.accounts, owner.username, password, t)).toEqual({
      ok: false,
      reason: 'disabled',
    })
    await storage.accounts.setDisabled(owner.id, false)
  })

  it('keeps no password or setup token in clear in any row', () => {
    const dump = rawDump()
    expect(dump).toContain('$argon2id$')
    for (const value of [password, ...setupPasswords, ...tokens]) expect(dump).not.toContain(value)
  })
})
