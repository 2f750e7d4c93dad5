import type BetterSqlite3 from 'better-sqlite3'

/** The better-sqlite3 constructor (both lines share one API and one set of types). */
export type SqliteDriver = typeof BetterSqlite3

/**
 * Loads the SQLite driver that is safe on this Node.js: better-sqlite3 13 (Node-API, prebuilt,
 * no compiler needed) on Node ≥ 22, and the 12 line, installed under the alias
 * `better-sqlite3-node20`, on Node 20. 12 aborts the process on Node 24 when a statement is
 * garbage-collected outside a JavaScript context (`RemoveEnvironmentCleanupHook` assertion),
 * and 13 does not run on Node 20 — see docs/adr/0001-architecture.md.
 */
export async function loadSqliteDriver(
  nodeVersion: string = process.versions.node,
): Promise<SqliteDriver> {
  const major = Number(nodeVersion.split('.')[0])
  const module = (
    major >= 22 ? await import('better-sqlite3') : await import('better-sqlite3-node20')
  ) as { default: SqliteDriver }
  return module.default
}
