import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import type { PoolClient } from 'pg'
import type { Database } from '../kysely/index.js'

/**
 * Row-level security per user (ADR 0002). Migration 2 gives every table with a `user_id` a
 * policy `user_id = nullif(current_setting('mcp_pa.user_id', true), '')`, ENABLEd and FORCEd,
 * so a query that forgets its filter still sees only one user's rows, and with the setting
 * missing or empty no row at all. Every memory and task operation runs in a transaction that
 * first sets `mcp_pa.user_id` locally (`withUser` below).
 *
 * Superusers and roles with BYPASSRLS ignore every policy, FORCE or not, and tests and many
 * small deployments connect as a superuser. Such a connection therefore switches, for each
 * per-user transaction only, to `mcp_pa_rls`: a NOLOGIN role without any special attribute
 * that may read and write the per-user tables of the schemas that granted it, and nothing else
 * (not `users`, no DDL). An ordinary role needs no switch: the policies bind it, and FORCE binds
 * it as the tables' owner too.
 *
 * The role is set up here at every open rather than in a migration: roles are cluster-wide and
 * outlive or predate a schema (`pg_dump` restores a schema without its roles, a test drops its
 * schema but not the shared role), so a migration recorded as applied would not prove the role
 * is there. Creating it is idempotent and tolerant of another database doing the same at once;
 * the grants are per schema and run under the migration lock.
 */
export const RLS_ROLE = 'mcp_pa_rls'

/** How per-user transactions of this connection are held to their user. */
export type RowSecurity =
  /** The connecting user bypasses RLS, so each per-user transaction switches to `role`. */
  | { mode: 'set-role'; role: string }
  /** An ordinary role: the policies apply as it is (FORCE covers the owner). */
  | { mode: 'policies' }
  /** Not enforced: the user bypasses RLS and cannot switch role. Warned about at open. */
  | { mode: 'bypassed'; reason: string }

const ENSURE_ROLE = `
DO $rls$
BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${RLS_ROLE}') THEN
    CREATE ROLE ${RLS_ROLE} NOLOGIN NOSUPERUSER NOBYPASSRLS NOCREATEDB NOCREATEROLE;
  END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
  NULL; -- created at the same moment from another database of the cluster
END
$rls$;`

const GRANT_ROLE = `
DO $rls$
DECLARE
  per_user text;
BEGIN
  EXECUTE format('GRANT USAGE ON SCHEMA %I TO ${RLS_ROLE}', current_schema());
  FOREACH per_user IN ARRAY ARRAY['memories', 'tasks', 'memory_embeddings'] LOOP
    IF to_regclass(format('%I.%I', current_schema(), per_user)) IS NOT NULL THEN
      EXECUTE format('GRANT SELECT, INSERT, UPDATE, DELETE ON %I.%I TO ${RLS_ROLE}',
                     current_schema(), per_user);
    END IF;
  END LOOP;
END
$rls$;`

function rowSecurityBypassed(user: string, cause: string): string {
  return (
    `row-level security is NOT enforced: the PostgreSQL user "${user}" is a superuser or has BYPASSRLS, ` +
    `and cannot switch to the role ${RLS_ROLE} (${cause}), so isolation between users rests on the ` +
    `query filters alone. Connect as an ordinary role that owns the schema, or have a superuser run ` +
    `CREATE ROLE ${RLS_ROLE} NOLOGIN; GRANT ${RLS_ROLE} TO "${user}"; then restart.`
  )
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

/** Switches to the role in a transaction that is rolled back: proves the grants and membership. */
async function tryRole(client: PoolClient): Promise<void> {
  const { rows } = await client.query<{ bypasses: boolean }>(
    'SELECT rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = $1',
    [RLS_ROLE],
  )
  if (rows[0]?.bypasses !== false) {
    throw new Error(`the role ${RLS_ROLE} is missing, or is a superuser or has BYPASSRLS`)
  }
  await client.query('BEGIN')
  try {
    await client.query(`SELECT set_config('role', $1, true)`, [RLS_ROLE])
    await client.query('SELECT FROM memories, tasks LIMIT 0')
  } finally {
    await client.query('ROLLBACK')
  }
}

/**
 * Decides, once at open and under the migration lock (after migrations and vector setup),
 * how this connection's per-user transactions are held to their user; sets the role up when a
 * switch is needed. Logs one warning when row-level security cannot be enforced.
 */
export async function setupRowSecurity(
  client: PoolClient,
  logger: { warn(message: string): void } | undefined,
): Promise<RowSecurity> {
  const { rows } = await client.query<{ name: string; bypasses: boolean }>(
    'SELECT rolname AS name, rolsuper OR rolbypassrls AS bypasses FROM pg_roles WHERE rolname = current_user',
  )
  const me = rows[0]
  if (me?.bypasses === false) return { mode: 'policies' }
  try {
    await client.query(ENSURE_ROLE)
    await client.query(GRANT_ROLE)
    await tryRole(client)
    return { mode: 'set-role', role: RLS_ROLE }
  } catch (error) {
    const reason = rowSecurityBypassed(me?.name ?? 'current_user', message(error))
    logger?.warn(reason)
    return { mode: 'bypassed', reason }
  }
}

/**
 * The PostgreSQL `SqlDialect.withUser`: a transaction whose first statement sets the user for
 * the policies and, when needed, the role, both local to the transaction (`set_config(…, true)`
 * is `SET LOCAL`, and unlike SET it takes bound parameters): one round trip besides BEGIN and
 * COMMIT. Both revert at COMMIT or ROLLBACK, before the connection goes back to the pool.
 */
export function postgresWithUser(rowSecurity: RowSecurity) {
  const role = rowSecurity.mode === 'set-role' ? rowSecurity.role : undefined
  return <T>(
    db: Kysely<Database>,
    userId: string,
    work: (db: Kysely<Database>) => Promise<T>,
  ): Promise<T> =>
    db.transaction().execute(async (trx) => {
      await (
        role === undefined
          ? sql`select set_config('mcp_pa.user_id', ${userId}, true)`
          : sql`select set_config('mcp_pa.user_id', ${userId}, true), set_config('role', ${role}, true)`
      ).execute(trx)
      return work(trx)
    })
}
