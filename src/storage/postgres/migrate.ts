import type { PoolClient } from 'pg'
import { assertNotNewer, pending } from '../kysely/index.js'
import type { Migration } from '../kysely/index.js'
import { POSTGRES_MIGRATIONS } from './migrations.js'

/**
 * The advisory lock every mcp-pa instance takes while migrating ('mcp-pa' in ASCII, then 1):
 * instances starting together queue up instead of racing on the same DDL.
 */
export const MIGRATION_LOCK_KEY = '7882267113289744385'

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Runs `work` holding the migration lock on this one client (session-level lock). */
export async function withMigrationLock<T>(client: PoolClient, work: () => Promise<T>): Promise<T> {
  await client.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY])
  try {
    return await work()
  } finally {
    await client.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY])
  }
}

/** Creates the schema when it does not exist (only tests and custom deployments use one). */
export async function ensureSchema(client: PoolClient, schema: string): Promise<void> {
  const found = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema])
  if (found.rowCount === 0) await client.query(`CREATE SCHEMA IF NOT EXISTS "${schema}"`)
}

/**
 * Applies pending migrations on `client`, which must hold the migration lock. Each one runs in
 * its own transaction with its `schema_migrations` row; a database migrated by a newer release
 * is refused before anything changes.
 */
export async function migratePostgres(
  client: PoolClient,
  migrations: readonly Migration[] = POSTGRES_MIGRATIONS,
): Promise<void> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
  version integer PRIMARY KEY,
  name text NOT NULL,
  applied_at timestamptz NOT NULL DEFAULT now()
)`)
  const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_migrations')
  const applied = new Set(rows.map((row) => Number(row.version)))
  assertNotNewer(Math.max(0, ...applied), migrations)
  for (const migration of pending(migrations, applied)) {
    await client.query('BEGIN')
    try {
      await client.query(migration.sql)
      await client.query('INSERT INTO schema_migrations (version, name) VALUES ($1, $2)', [
        migration.version,
        migration.name,
      ])
      await client.query('COMMIT')
    } catch (error) {
      await client.query('ROLLBACK').catch(() => undefined)
      throw new Error(
        `PostgreSQL migration ${migration.version} (${migration.name}) failed: ${message(error)}`,
        { cause: error },
      )
    }
  }
}
