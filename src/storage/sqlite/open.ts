import { resolve } from 'node:path'
import type BetterSqlite3 from 'better-sqlite3'
import { Kysely, SqliteDialect } from 'kysely'
import type { Storage } from '../ports.js'
import { assembleStorage } from '../kysely/index.js'
import type { Database } from '../kysely/index.js'
import { CASEFOLD_FUNCTION, sqliteDialect } from './dialect.js'
import { prepareDatabaseFile, tightenDatabaseFiles } from './files.js'
import { migrateSqlite } from './migrate.js'
import { loadSqliteDriver } from './driver.js'
import { sqliteVectors } from './vectors.js'
import { withStatementCache } from './statement-cache.js'

export interface SqliteStorageOptions {
  /** Database file; created 0600 (its new parent directories 0700). `:memory:` for tests. */
  path: string
  /** Semantic search by an in-process cosine scan over stored embeddings. Default off. */
  vectorSearch?: boolean
  logger?: { warn(message: string): void }
}

const MEMORY = ':memory:'
const VECTOR_SEARCH_OFF = 'vector search is turned off (features.vector_search=false)'

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function configure(sqlite: BetterSqlite3.Database, path: string, options: SqliteStorageOptions) {
  const mode = String(sqlite.pragma('journal_mode = WAL', { simple: true }))
  if (path !== MEMORY && mode !== 'wal') {
    options.logger?.warn(
      `SQLite database ${path} could not switch to WAL mode (it is in ${mode} mode): writers will block readers; keep the file on a local disk`,
    )
  }
  sqlite.pragma('foreign_keys = ON')
  sqlite.pragma('busy_timeout = 5000')
  sqlite.pragma('synchronous = NORMAL')
  // Checkpoint every ~16 MiB of WAL instead of ~4 MiB: one save in ~400 (not ~100) pays for
  // copying pages back, which keeps the p99 of memory_save near the median.
  sqlite.pragma('wal_autocheckpoint = 4000')
  sqlite.function(CASEFOLD_FUNCTION, { deterministic: true }, (value: unknown) =>
    typeof value === 'string' ? value.toLowerCase() : value,
  )
}

/**
 * Opens (creating if needed) the SQLite database at `options.path` and applies pending
 * migrations. The file and its -wal/-shm companions are kept at mode 0600.
 */
export async function openSqliteStorage(options: SqliteStorageOptions): Promise<Storage> {
  if (options.path.trim().length === 0) {
    throw new Error('the SQLite database path is empty: set database.path')
  }
  const path = options.path === MEMORY ? MEMORY : resolve(options.path)
  let sqlite: BetterSqlite3.Database
  try {
    if (path !== MEMORY) prepareDatabaseFile(path)
    const Driver = await loadSqliteDriver()
    sqlite = new Driver(path)
  } catch (error) {
    throw new Error(`cannot open SQLite database ${path}: ${message(error)}`, { cause: error })
  }
  try {
    configure(sqlite, path, options)
    migrateSqlite(sqlite)
    if (path !== MEMORY) tightenDatabaseFiles(path)
  } catch (error) {
    sqlite.close()
    throw error
  }
  // Keep the query planner's statistics fresh (SQLite's advice for long-lived connections):
  // analyse what needs it at open, then hourly. Without statistics, a database that grew by
  // many thousand memories since the last analysis plans searches badly (3–40× slower).
  const optimize = (mask?: string) => {
    try {
      sqlite.pragma(mask === undefined ? 'optimize' : `optimize = ${mask}`)
    } catch {
      // best effort: statistics only
    }
  }
  optimize('0x10002')
  const timer = setInterval(() => optimize(), 60 * 60 * 1000)
  timer.unref()
  const vectorSearch = options.vectorSearch === true
  const db = new Kysely<Database>({
    dialect: new SqliteDialect({ database: withStatementCache(sqlite) }),
  })
  return assembleStorage({
    db,
    dialect: sqliteDialect(vectorSearch ? sqliteVectors() : undefined),
    capabilities: vectorSearch
      ? { dialect: 'sqlite', vectorSearch: true }
      : {
          dialect: 'sqlite',
          vectorSearch: false,
          vectorSearchUnavailableReason: VECTOR_SEARCH_OFF,
        },
    location: path,
    async release() {
      clearInterval(timer)
      optimize()
      await db.destroy()
    },
  })
}
