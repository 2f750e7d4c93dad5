import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { Storage, StorageCapabilities } from '../ports.js'
import type { Database } from './database.js'
import type { SqlDialect } from './dialect.js'
import { createMemoryStore } from './memory-store.js'
import { createTaskStore } from './task-store.js'
import { createUserStore } from './user-store.js'

export interface StorageParts {
  db: Kysely<Database>
  dialect: SqlDialect
  capabilities: StorageCapabilities
  location: string
  /** Releases the driver; called once however often `close()` is. */
  release: () => Promise<void>
}

const isoNow = (): string => new Date().toISOString()

/** Builds the `Storage` of a dialect from its Kysely instance and dialect hooks. */
export function assembleStorage(parts: StorageParts): Storage {
  const { db, dialect } = parts
  let closing: Promise<void> | undefined
  return {
    memories: createMemoryStore(db, dialect, isoNow),
    tasks: createTaskStore(db, dialect, isoNow),
    users: createUserStore(db, isoNow),
    capabilities: Object.freeze({ ...parts.capabilities }),
    location: parts.location,
    async ping() {
      await sql`select 1`.execute(db)
    },
    close() {
      closing ??= parts.release()
      return closing
    },
  }
}
