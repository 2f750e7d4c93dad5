import { randomBytes, randomUUID } from 'node:crypto'
import { MAX_LOGIN_LOCKOUT_MS } from '../ports.js'
import type { ContractContext } from './context.js'
import { rejectionCode } from './context.js'

/** A unique username (the accounts table is shared by the whole suite). */
const uniqueName = (label: string): string => `${label}-${randomUUID().slice(0, 8)}`

/** An opaque stand-in for an argon2id PHC string (the store never interprets it). */
const fakeHash = (): string =>
  `$argon2id$v=19$m=65536,t=3,p=1$${randomBytes(24).toString('base64')}`

export function accountContract(ctx: ContractContext): void {
  const { describe, it, expect, storage } = ctx
  const accounts = () => storage().accounts

  describe('oauth accounts', () => {
    it('creates an account with a stable id and finds it by normalised username', async () => {
      const name = uniqueName('alice')
      const hash = fakeHash()
      const t = Date.now()
      const before = await accounts().count()
      const created = await accounts().create(
        { username: `  ${name.toUpperCase()} `, passwordHash: hash, displayName: ' Alice ' },
        t,
      )
      expect(created).toEqual({
        id: expect.any(String),
        username: name,
        displayName: 'Alice',
        passwordHash: hash,
        disabled: false,
        failedAttempts: 0,
        createdAt: t,
        updatedAt: t,
      })
      expect(await accounts().count()).toBe(before + 1)
      expect(await accounts().get(created.id)).toEqual(created)
      expect(await accounts().findByUsername(name.toUpperCase())).toEqual(created)
      // NFKC: fullwidth letters are the same username.
      const fullwidth = name.replace(/[a-z]/g, (c) =>
        String.fromCodePoint(c.charCodeAt(0) + 0xfee0),
      )
      expect(await accounts().findByUsername(fullwidth)).toEqual(created)
      expect(await accounts().findByUsername(uniqueName('nobody'))).toBeUndefined()
      expect(await accounts().findByUsername('')).toBeUndefined()
      expect(await accounts().get(randomUUID())).toBeUndefined()
      expect(await accounts().get('')).toBeUndefined()
      expect((await accounts().list()).map((a) => a.id)).toContain(created.id)
    })

    it('refuses a taken username (after normalisation) and invalid ones', async () => {
      const name = uniqueName('bob')
      await accounts().create({ username: name, passwordHash: fakeHash() })
      expect(
        await rejectionCode(
          accounts().create({ username: ` ${name.toUpperCase()}`, passwordHash: fakeHash() }),
        ),
      ).toBe('invalid_input')
      for (const username of ['', '   ', 'a'.repeat(65), 'tab\there', 'nul\u0000']) {
        expect(await rejectionCode(accounts().create({ username, passwordHash: fakeHash() }))).toBe(
          'invalid_input',
        )
      }
      expect(
        await rejectionCode(accounts().create({ username: uniqueName('c'), passwordHash: '' })),
      ).toBe('invalid_input')
      const longest = await accounts().create({
        username: `${randomUUID()}${'x'.repeat(28)}`,
        passwordHash: fakeHash(),
      })
      expect(longest.username).toHaveLength(64)
    })

    it('lists by username', async () => {
      const prefix = uniqueName('list')
      for (const suffix of ['c', 'a', 'b']) {
        await accounts().create({ username: `${prefix}-${suffix}`, passwordHash: fakeHash() })
      }
      const mine = (await accounts().list())
        .map((a) => a.username)
        .filter((u) => u.startsWith(prefix))
      expect(mine).toEqual([`${prefix}-a`, `${prefix}-b`, `${prefix}-c`])
    })

    it('disables, enables and changes the password hash', async () => {
      const account = await accounts().create({
        username: uniqueName('d'),
        passwordHash: fakeHash(),
      })
      expect(await accounts().setDisabled(account.id, true, account.createdAt + 1)).toBe(true)
      expect(await accounts().get(account.id)).toMatchObject({
        disabled: true,
        updatedAt: account.createdAt + 1,
      })
      expect(await accounts().setDisabled(account.id, false)).toBe(true)
      expect((await accounts().get(account.id))?.disabled).toBe(false)
      expect(await accounts().setDisabled(randomUUID(), true)).toBe(false)
      const t = Date.now()
      for (let i = 0; i < 6; i++) await accounts().recordFailure(account.id, t)
      const next = fakeHash()
      expect(await accounts().setPasswordHash(account.id, next)).toBe(true)
      const after = await accounts().get(account.id)
      expect(after).toMatchObject({ passwordHash: next, failedAttempts: 0 })
      expect(after?.lockedUntil).toBeUndefined()
      expect(await accounts().setPasswordHash(randomUUID(), next)).toBe(false)
    })

    it('counts failures, locks with exponential backoff capped at 15 minutes, resets on success', async () => {
      const account = await accounts().create({
        username: uniqueName('e'),
        passwordHash: fakeHash(),
      })
      const t = 1_800_000_000_000
      for (let n = 1; n <= 4; n++) {
        expect(await accounts().recordFailure(account.id, t)).toEqual({ failures: n })
      }
      expect(await accounts().recordFailure(account.id, t)).toEqual({
        failures: 5,
        lockedUntil: t + 1000,
      })
      expect(await accounts().recordFailure(account.id, t)).toEqual({
        failures: 6,
        lockedUntil: t + 2000,
      })
      expect(await accounts().recordFailure(account.id, t)).toEqual({
        failures: 7,
        lockedUntil: t + 4000,
      })
      expect((await accounts().get(account.id))?.lockedUntil).toBe(t + 4000)
      for (let n = 8; n <= 20; n++) await accounts().recordFailure(account.id, t)
      expect(await accounts().get(account.id)).toMatchObject({
        failedAttempts: 20,
        lockedUntil: t + MAX_LOGIN_LOCKOUT_MS,
      })
      await accounts().recordSuccess(account.id, t + 1)
      const reset = await accounts().get(account.id)
      expect(reset).toMatchObject({ failedAttempts: 0, lastLoginAt: t + 1 })
      expect(reset?.lockedUntil).toBeUndefined()
      expect(await accounts().recordFailure(randomUUID(), t)).toBeUndefined()
    })

    it('counts concurrent failures without losing any', async () => {
      const account = await accounts().create({
        username: uniqueName('f'),
        passwordHash: fakeHash(),
      })
      const t = Date.now()
      await Promise.all(Array.from({ length: 8 }, () => accounts().recordFailure(account.id, t)))
      expect((await accounts().get(account.id))?.failedAttempts).toBe(8)
    })
  })
}
