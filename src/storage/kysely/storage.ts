import { sql } from 'kysely'
import type { Kysely, KyselyPlugin } from 'kysely'
import { DomainError } from '../../domain/index.js'
import type { Storage, StorageCapabilities } from '../ports.js'
import type { Database } from './database.js'
import type { SqlDialect, UserScope } from './dialect.js'
import { createAccountStore } from './account-store.js'
import { createArtifactStore } from './artifact-store.js'
import { createSigningKeyStore } from './signing-key-store.js'
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
  const assertOpen = (): void => {
    if (closing !== undefined) {
      throw new DomainError(
        'storage_unavailable',
        'the database is closed because the server is shutting down: try again once it has restarted',
        'query after close()',
      )
    }
  }
  const closedGuard: KyselyPlugin = {
    transformQuery(args) {
      assertOpen()
      return args.node
    },
    transformResult: async (args) => args.result,
  }
  const db = parts.db.withPlugin(closedGuard)
  // Checked before the scope too: PostgreSQL's begins a transaction, which would otherwise
  // reach the closed pool before any query reaches the guard.
  const asUser: UserScope = async (userId, work) => {
    assertOpen()
    return dialect.withUser(db, userId, work)
  }
  return {
    memories: createMemoryStore(asUser, dialect, isoNow),
    tasks: createTaskStore(asUser, dialect, isoNow),
    users: createUserStore(db, isoNow),
    artifacts: createArtifactStore(db, () => Date.now(), { beforeQuery: assertOpen }),
    signingKeys: createSigningKeyStore(db),
    accounts: createAccountStore(db, () => Date.now()),
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
