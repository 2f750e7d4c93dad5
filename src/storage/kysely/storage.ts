import { sql } from 'kysely'
import type { Kysely, KyselyPlugin } from 'kysely'
import { DomainError } from '../../domain/index.js'
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
  const { dialect } = parts
  let closing: Promise<void> | undefined
  // After close, every query fails with one clear error instead of whatever the driver does
  // (Kysely would quietly re-initialise some drivers).
  const closedGuard: KyselyPlugin = {
    transformQuery(args) {
      if (closing !== undefined) {
        throw new DomainError(
          'storage_unavailable',
          'the database is closed because the server is shutting down: try again once it has restarted',
          'query after close()',
        )
      }
      return args.node
    },
    transformResult: async (args) => args.result,
  }
  const db = parts.db.withPlugin(closedGuard)
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
