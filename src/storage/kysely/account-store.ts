import { randomUUID } from 'node:crypto'
import type { Kysely, Selectable } from 'kysely'
import { DomainError } from '../../domain/index.js'
import { MAX_DISPLAY_NAME_CHARS, loginLockedUntil, normaliseUsername } from '../ports.js'
import type { Account, AccountStore, NewAccount } from '../ports.js'
import type { Database, OauthAccountsTable } from './database.js'

const MAX_HASH_CHARS = 1024
const MAX_ID_CHARS = 256

function username(input: unknown): string {
  try {
    return normaliseUsername(input as string)
  } catch (error) {
    throw new DomainError('invalid_input', (error as Error).message)
  }
}

function checkHash(hash: unknown): asserts hash is string {
  if (typeof hash !== 'string' || hash.length === 0 || hash.length > MAX_HASH_CHARS) {
    throw new DomainError('invalid_input', `passwordHash must be 1-${MAX_HASH_CHARS} characters`)
  }
}

function checkTime(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DomainError('invalid_input', `${field} must be epoch milliseconds`)
  }
}

function displayName(value: unknown): string | null {
  if (value === undefined) return null
  if (typeof value !== 'string') throw new DomainError('invalid_input', 'displayName must be text')
  const name = value.trim()
  if (name.length === 0) return null
  if (name.length > MAX_DISPLAY_NAME_CHARS) {
    throw new DomainError(
      'invalid_input',
      `displayName has at most ${MAX_DISPLAY_NAME_CHARS} characters`,
    )
  }
  return name
}

/** An id that cannot match any account (not a string, empty or too long): no query needed. */
const badId = (id: unknown): boolean =>
  typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS

const millis = (value: number | string | null): number | undefined =>
  value === null ? undefined : Number(value)

function toAccount(row: Selectable<OauthAccountsTable>): Account {
  const account: Account = {
    id: row.id,
    username: row.username,
    passwordHash: row.password_hash,
    disabled: row.disabled_at !== null,
    failedAttempts: Number(row.failed_attempts),
    createdAt: Number(row.created_at),
    updatedAt: Number(row.updated_at),
  }
  if (row.display_name !== null) account.displayName = row.display_name
  const lockedUntil = millis(row.locked_until)
  if (lockedUntil !== undefined) account.lockedUntil = lockedUntil
  const lastLoginAt = millis(row.last_login_at)
  if (lastLoginAt !== undefined) account.lastLoginAt = lastLoginAt
  return account
}

/**
 * The Kysely `AccountStore` (ports.ts) over `oauth_accounts`, for SQLite and PostgreSQL. The
 * unique index on the normalised username settles concurrent creations; a failed login is
 * counted by a single `UPDATE … SET failed_attempts = failed_attempts + 1`, so concurrent
 * failures are all counted.
 */
export function createAccountStore(
  db: Kysely<Database>,
  clock: () => number = Date.now,
): AccountStore {
  const byId = async (id: string): Promise<Account | undefined> => {
    if (badId(id)) return undefined
    const row = await db
      .selectFrom('oauth_accounts')
      .selectAll()
      .where('id', '=', id)
      .executeTakeFirst()
    return row === undefined ? undefined : toAccount(row)
  }

  return {
    async create(account: NewAccount, now = clock()) {
      const name = username(account.username)
      checkHash(account.passwordHash)
      checkTime('now', now)
      const display = displayName(account.displayName)
      const id = randomUUID()
      const result = await db
        .insertInto('oauth_accounts')
        .values({
          id,
          username: name,
          display_name: display,
          password_hash: account.passwordHash,
          disabled_at: null,
          failed_attempts: 0,
          locked_until: null,
          last_login_at: null,
          created_at: now,
          updated_at: now,
        })
        .onConflict((oc) => oc.column('username').doNothing())
        .executeTakeFirst()
      if (Number(result.numInsertedOrUpdatedRows ?? 0n) === 0) {
        throw new DomainError('invalid_input', `the username ${name} is taken: choose another`)
      }
      const created = await byId(id)
      if (created === undefined) throw new Error('the account just created was not found')
      return created
    },

    async findByUsername(input) {
      let name: string
      try {
        name = normaliseUsername(input)
      } catch {
        return undefined
      }
      const row = await db
        .selectFrom('oauth_accounts')
        .selectAll()
        .where('username', '=', name)
        .executeTakeFirst()
      return row === undefined ? undefined : toAccount(row)
    },

    get: byId,

    async list() {
      const rows = await db.selectFrom('oauth_accounts').selectAll().orderBy('username').execute()
      return rows.map(toAccount)
    },

    async setDisabled(id, disabled, now = clock()) {
      checkTime('now', now)
      if (badId(id)) return false
      const result = await db
        .updateTable('oauth_accounts')
        .set({ disabled_at: disabled ? now : null, updated_at: now })
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async setPasswordHash(id, passwordHash, now = clock()) {
      checkHash(passwordHash)
      checkTime('now', now)
      if (badId(id)) return false
      const result = await db
        .updateTable('oauth_accounts')
        .set({
          password_hash: passwordHash,
          failed_attempts: 0,
          locked_until: null,
          updated_at: now,
        })
        .where('id', '=', id)
        .executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async recordFailure(id, now) {
      checkTime('now', now)
      if (badId(id)) return undefined
      const row = await db
        .updateTable('oauth_accounts')
        .set((eb) => ({ failed_attempts: eb('failed_attempts', '+', 1) }))
        .where('id', '=', id)
        .returning('failed_attempts')
        .executeTakeFirst()
      if (row === undefined) return undefined
      const failures = Number(row.failed_attempts)
      const lockedUntil = loginLockedUntil(failures, now)
      if (lockedUntil === undefined) return { failures }
      // Only while the count is still ours: of concurrent failures the highest count's lockout
      // (the longest) is the one that stays.
      await db
        .updateTable('oauth_accounts')
        .set({ locked_until: lockedUntil })
        .where('id', '=', id)
        .where('failed_attempts', '=', failures)
        .execute()
      return { failures, lockedUntil }
    },

    async recordSuccess(id, now) {
      checkTime('now', now)
      if (badId(id)) return
      await db
        .updateTable('oauth_accounts')
        .set({ failed_attempts: 0, locked_until: null, last_login_at: now })
        .where('id', '=', id)
        .execute()
    },

    async count() {
      const row = await db
        .selectFrom('oauth_accounts')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
      return Number(row.n)
    },
  }
}
