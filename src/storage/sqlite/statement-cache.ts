import type BetterSqlite3 from 'better-sqlite3'
import type { SqliteDatabase } from 'kysely'

/** How many distinct statements stay prepared (the store's statements are a few dozen shapes). */
export const STATEMENT_CACHE_SIZE = 256

/**
 * The handle Kysely's SQLite driver runs queries through, with prepared statements kept for
 * reuse. The driver prepares every query afresh, and `prepare` (parsing and planning the SQL)
 * costs as much as running a lookup by key: the OAuth artifact store, which runs several such
 * lookups per token request, spent a third of its time there (bench/as.mjs).
 *
 * Statements are keyed by their SQL text, least recently used first out. A statement still
 * being iterated (`busy`, a streamed query) is not handed out again: that query gets a fresh
 * one. SQLite re-prepares a cached statement by itself when the schema changes under it.
 */
export function withStatementCache(
  sqlite: BetterSqlite3.Database,
  size: number = STATEMENT_CACHE_SIZE,
): SqliteDatabase {
  const cache = new Map<string, BetterSqlite3.Statement>()
  return {
    close: () => {
      cache.clear()
      sqlite.close()
    },
    prepare(sql: string) {
      const cached = cache.get(sql)
      if (cached !== undefined && !cached.busy) {
        // Map order is insertion order: re-inserting marks it the most recently used.
        cache.delete(sql)
        cache.set(sql, cached)
        return cached
      }
      const statement = sqlite.prepare(sql)
      if (cached === undefined) {
        cache.set(sql, statement)
        if (cache.size > size) cache.delete(cache.keys().next().value as string)
      }
      return statement
    },
  }
}
