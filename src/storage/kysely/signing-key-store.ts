import type { Kysely, Selectable } from 'kysely'
import { DomainError } from '../../domain/index.js'
import { SIGNING_KEY_ALGS, SIGNING_KEY_STATES } from '../ports.js'
import type { SigningKeyAlg, SigningKeyState, SigningKeyStore, StoredSigningKey } from '../ports.js'
import type { Database, OauthSigningKeysTable } from './database.js'

const ALGS: ReadonlySet<string> = new Set(SIGNING_KEY_ALGS)
const STATES: ReadonlySet<string> = new Set(SIGNING_KEY_STATES)
const MAX_KID_CHARS = 256
const STATE_ORDER: Record<SigningKeyState, number> = { active: 0, retiring: 1, retired: 2 }

function checkKid(kid: unknown): asserts kid is string {
  if (typeof kid !== 'string' || kid.length === 0 || kid.length > MAX_KID_CHARS) {
    throw new DomainError('invalid_input', `kid must be 1-${MAX_KID_CHARS} characters`)
  }
}

function checkTime(field: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new DomainError('invalid_input', `${field} must be epoch milliseconds`)
  }
}

function checkKey(key: StoredSigningKey): void {
  checkKid(key.kid)
  if (!ALGS.has(key.alg)) throw new DomainError('invalid_input', `unknown alg ${key.alg}`)
  if (!STATES.has(key.state)) throw new DomainError('invalid_input', `unknown state ${key.state}`)
  if (typeof key.publicJwk !== 'object' || key.publicJwk === null || 'd' in key.publicJwk) {
    throw new DomainError('invalid_input', 'publicJwk must be a public JWK object')
  }
  if (typeof key.encryptedPrivateKey !== 'string' || key.encryptedPrivateKey.length === 0) {
    throw new DomainError('invalid_input', 'encryptedPrivateKey must be a non-empty string')
  }
  checkTime('createdAt', key.createdAt)
  checkTime('activatedAt', key.activatedAt)
  if (key.retireAfter !== undefined) checkTime('retireAfter', key.retireAfter)
  if (key.retiredAt !== undefined) checkTime('retiredAt', key.retiredAt)
}

const toRow = (key: StoredSigningKey) => ({
  kid: key.kid,
  alg: key.alg,
  state: key.state,
  public_jwk: JSON.stringify(key.publicJwk),
  encrypted_private_key: key.encryptedPrivateKey,
  created_at: key.createdAt,
  activated_at: key.activatedAt,
  retire_after: key.retireAfter ?? null,
  retired_at: key.retiredAt ?? null,
})

function toKey(row: Selectable<OauthSigningKeysTable>): StoredSigningKey {
  const key: StoredSigningKey = {
    kid: row.kid,
    alg: row.alg as SigningKeyAlg,
    state: row.state as SigningKeyState,
    publicJwk: JSON.parse(row.public_jwk) as Record<string, unknown>,
    encryptedPrivateKey: row.encrypted_private_key,
    createdAt: Number(row.created_at),
    activatedAt: Number(row.activated_at),
  }
  if (row.retire_after !== null) key.retireAfter = Number(row.retire_after)
  if (row.retired_at !== null) key.retiredAt = Number(row.retired_at)
  return key
}

/**
 * The Kysely `SigningKeyStore` (ports.ts) over `oauth_signing_keys`, for SQLite and PostgreSQL.
 * The partial unique index on the active state makes "at most one active key" the database's
 * rule, so concurrent inserts and rotations across instances resolve to one winner.
 */
export function createSigningKeyStore(db: Kysely<Database>): SigningKeyStore {
  return {
    async insert(key) {
      checkKey(key)
      const result = await db
        .insertInto('oauth_signing_keys')
        .values(toRow(key))
        .onConflict((oc) => oc.doNothing())
        .executeTakeFirst()
      return Number(result.numInsertedOrUpdatedRows ?? 0n) > 0
    },

    async list() {
      const rows = await db.selectFrom('oauth_signing_keys').selectAll().execute()
      return rows
        .map(toKey)
        .sort(
          (a, b) =>
            STATE_ORDER[a.state] - STATE_ORDER[b.state] ||
            b.activatedAt - a.activatedAt ||
            (a.kid < b.kid ? -1 : a.kid > b.kid ? 1 : 0),
        )
    },

    async get(kid) {
      checkKid(kid)
      const row = await db
        .selectFrom('oauth_signing_keys')
        .selectAll()
        .where('kid', '=', kid)
        .executeTakeFirst()
      return row === undefined ? undefined : toKey(row)
    },

    async setState(kid, state, at) {
      checkKid(kid)
      checkTime('at', at)
      let query = db.updateTable('oauth_signing_keys').where('kid', '=', kid)
      if (state === 'retiring') {
        query = query.set({ state, retire_after: at }).where('state', '=', 'active')
      } else if (state === 'retired') {
        query = query.set({ state, retired_at: at }).where('state', 'in', ['active', 'retiring'])
      } else {
        throw new DomainError('invalid_input', `a key cannot be moved to ${String(state)}`)
      }
      const result = await query.executeTakeFirst()
      return result.numUpdatedRows > 0n
    },

    async rotate(key, previousKid, retireAfter) {
      checkKey(key)
      checkKid(previousKid)
      checkTime('retireAfter', retireAfter)
      if (key.state !== 'active') {
        throw new DomainError('invalid_input', 'a rotation inserts an active key')
      }
      const lost = new Error('rotation lost')
      try {
        await db.transaction().execute(async (trx) => {
          const retired = await trx
            .updateTable('oauth_signing_keys')
            .set({ state: 'retiring', retire_after: retireAfter })
            .where('kid', '=', previousKid)
            .where('state', '=', 'active')
            .executeTakeFirst()
          if (retired.numUpdatedRows === 0n) throw lost
          const inserted = await trx
            .insertInto('oauth_signing_keys')
            .values(toRow(key))
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst()
          if (Number(inserted.numInsertedOrUpdatedRows ?? 0n) === 0) throw lost
        })
        return true
      } catch (error) {
        if (error === lost) return false
        throw error
      }
    },
  }
}
