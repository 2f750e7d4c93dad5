import { sql } from 'kysely'
import type { RawBuilder, SqlBool } from 'kysely'
import { escapeLike, MEMORY_COLUMNS } from '../kysely/index.js'
import type { MemoryRow, SqlDialect, VectorIndex } from '../kysely/index.js'
import { ftsMatchExpression } from './fts.js'

/** Registered on the connection by `open.ts`: Unicode lower-casing (SQLite's is ASCII-only). */
export const CASEFOLD_FUNCTION = 'mcp_pa_casefold'

const TAG_TABLES = {
  memories: { table: 'memory_tags', key: 'memory_id' },
  tasks: { table: 'task_tags', key: 'task_id' },
} as const

const memoryColumns = sql.join(MEMORY_COLUMNS.map((column) => sql.ref(`memories.${column}`)))

/**
 * True when the row of `table` carries every tag: one indexed IN (…) per tag on the side
 * table's (user_id, tag, id) index, so the planner may drive the query from the rarest tag.
 */
export function sqliteHasTags(
  table: 'memories' | 'tasks',
  userId: string,
  tags: readonly string[],
): RawBuilder<SqlBool> {
  const side = TAG_TABLES[table]
  const each = tags.map(
    (tag) =>
      sql<SqlBool>`${sql.ref(`${table}.id`)} in (select ${sql.ref(side.key)} from ${sql.table(side.table)} where user_id = ${userId} and tag = ${tag})`,
  )
  return each.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`(${sql.join(each, sql` and `)})`
}

export function sqliteDialect(vectors: VectorIndex | undefined): SqlDialect {
  const hasTags = sqliteHasTags
  return {
    name: 'sqlite',
    vectors,
    encodeTags: (tags) => JSON.stringify(tags),
    hasTags,

    taskTextMatch(text) {
      const pattern = `%${escapeLike(text.toLowerCase())}%`
      const fold = sql.raw(CASEFOLD_FUNCTION)
      return sql<SqlBool>`(${fold}(tasks.title) like ${pattern} escape '\\' or ${fold}(tasks.notes) like ${pattern} escape '\\')`
    },

    async fullText(db, { userId, terms, tags, limit }) {
      const tagFilter = tags.length > 0 ? sql`and ${hasTags('memories', userId, tags)}` : sql``
      // CROSS JOIN pins the FTS index as the outer loop: MATCH selects the candidates, then
      // each is looked up by primary key and checked for the owner (and tags).
      const result = await sql<MemoryRow & { rank: number }>`
        select ${memoryColumns}, bm25(memories_fts) as rank
        from memories_fts cross join memories on memories.seq = memories_fts.rowid
        where memories_fts match ${ftsMatchExpression(terms)}
          and memories.user_id = ${userId} ${tagFilter}
        order by rank
        limit ${limit}`.execute(db)
      // bm25() is lower-is-better; the port's score is higher-is-better.
      return result.rows.map(({ rank, ...row }) => ({ row, score: -rank }))
    },
  }
}
