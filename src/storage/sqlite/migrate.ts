import type BetterSqlite3 from 'better-sqlite3'
import { assertNotNewer, pending } from '../kysely/index.js'
import type { Migration } from '../kysely/index.js'
import { SQLITE_MIGRATIONS } from './migrations.js'

function appliedVersions(db: BetterSqlite3.Database): Set<number> {
  const versions = db.prepare('SELECT version FROM schema_migrations').pluck().all()
  return new Set(versions.map(Number))
}

/**
 * Applies the pending migrations, each in its own `BEGIN IMMEDIATE` transaction: a second
 * process opening the same file waits (busy_timeout) and then finds the step already recorded.
 * Refuses a database migrated by a newer release.
 */
export function migrateSqlite(
  db: BetterSqlite3.Database,
  migrations: readonly Migration[] = SQLITE_MIGRATIONS,
): void {
  db.exec(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version INTEGER PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  applied_at TEXT NOT NULL
)`)
  const applied = appliedVersions(db)
  assertNotNewer(Math.max(0, ...applied), migrations)
  const record = db.prepare(
    'INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)',
  )
  for (const migration of pending(migrations, applied)) {
    db.transaction(() => {
      if (appliedVersions(db).has(migration.version)) return
      db.exec(migration.sql)
      record.run(migration.version, migration.name, new Date().toISOString())
    }).immediate()
  }
}
