import { sql } from 'kysely'
import type { SqlBool } from 'kysely'
import { escapeLike } from '../kysely/index.js'
import type { SqlDialect, VectorIndex } from '../kysely/index.js'
import { sqliteFullText } from './full-text.js'
import { sqliteHasTags } from './tags.js'

/** Registered on the connection by `open.ts`: Unicode lower-casing (SQLite's is ASCII-only). */
export const CASEFOLD_FUNCTION = 'mcp_pa_casefold'

export function sqliteDialect(vectors: VectorIndex | undefined): SqlDialect {
  return {
    name: 'sqlite',
    vectors,
    encodeTags: (tags) => JSON.stringify(tags),
    hasTags: sqliteHasTags,
    fullText: sqliteFullText,
    // No row-level security in SQLite: isolation is the explicit user_id filters (contract suite).
    withUser: (db, _userId, work) => work(db),

    taskTextMatch(text) {
      const pattern = `%${escapeLike(text.toLowerCase())}%`
      const fold = sql.raw(CASEFOLD_FUNCTION)
      return sql<SqlBool>`(${fold}(tasks.title) like ${pattern} escape '\\' or ${fold}(tasks.notes) like ${pattern} escape '\\')`
    },
  }
}
