import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { DomainError } from '../../domain/index.js'
import type { UserStore } from '../ports.js'
import type { Database } from './database.js'
import type { Clock } from './memory-store.js'
import { toUser } from './rows.js'

const MAX_IDENTITY_CHARS = 1000

function checkIdentity(field: string, value: string): void {
  if (value.length === 0 || value.length > MAX_IDENTITY_CHARS) {
    throw new DomainError('invalid_input', `${field} must be 1-${MAX_IDENTITY_CHARS} characters`)
  }
}

export function createUserStore(db: Kysely<Database>, now: Clock): UserStore {
  return {
    async ensure(issuer, subject) {
      checkIdentity('issuer', issuer)
      checkIdentity('subject', subject)
      // Race-safe: concurrent first sightings insert at most one row, then all read it back.
      await db
        .insertInto('users')
        .values({ id: randomUUID(), issuer, subject, created_at: now() })
        .onConflict((oc) => oc.columns(['issuer', 'subject']).doNothing())
        .execute()
      const row = await db
        .selectFrom('users')
        .selectAll()
        .where('issuer', '=', issuer)
        .where('subject', '=', subject)
        .executeTakeFirstOrThrow()
      return toUser(row)
    },

    async get(id) {
      const row = await db.selectFrom('users').selectAll().where('id', '=', id).executeTakeFirst()
      return row === undefined ? undefined : toUser(row)
    },
  }
}
