import { sql } from 'kysely'
import type { RawBuilder, SqlBool } from 'kysely'

const TAG_TABLES = {
  memories: { table: 'memory_tags', key: 'memory_id' },
  tasks: { table: 'task_tags', key: 'task_id' },
} as const

/**
 * True when the row of `table` carries every tag: one indexed IN (…) per tag on the side
 * table's (user_id, tag, id) index (kept by triggers from the JSON column), so the planner may
 * drive the query from the rarest tag.
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

/**
 * The same test as a per-row check through the side table's primary key (id, tag): for rows
 * that already come from another index (FTS matches, embeddings), never as a driving loop.
 */
export function sqliteRowHasTags(
  table: 'memories' | 'tasks',
  tags: readonly string[],
): RawBuilder<SqlBool> {
  const side = TAG_TABLES[table]
  const each = tags.map(
    (tag) =>
      sql<SqlBool>`exists (select 1 from ${sql.table(side.table)} where ${sql.ref(side.key)} = ${sql.ref(`${table}.id`)} and tag = ${tag})`,
  )
  return each.length === 0 ? sql<SqlBool>`1 = 1` : sql<SqlBool>`(${sql.join(each, sql` and `)})`
}
