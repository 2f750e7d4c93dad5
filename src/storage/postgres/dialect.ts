import { sql } from 'kysely'
import type { RawBuilder, SqlBool } from 'kysely'
import { escapeLike, MEMORY_COLUMNS } from '../kysely/index.js'
import type { SqlDialect, VectorIndex } from '../kysely/index.js'
import { postgresWithUser } from './row-security.js'
import type { RowSecurity } from './row-security.js'

const MIN_PREFIX_CHARS = 4

/**
 * The tsquery text for a search: built ONLY from the domain's `searchTerms()` output (letters
 * and digits), each term a quoted lexeme, OR-combined; the last term also matches as a prefix
 * once it has 4 characters, as in SQLite. It is sent as a bound parameter of `to_tsquery`.
 */
export function tsQueryText(terms: readonly string[]): string {
  return terms
    .map((term, index) => {
      const quoted = `'${term.replace(/['\\]/g, (char) => `\\${char}`)}'`
      return index === terms.length - 1 && [...term].length >= MIN_PREFIX_CHARS
        ? `${quoted}:*`
        : quoted
    })
    .join(' | ')
}

/** True when the row of `table` carries every tag: `tags @> $1`, served by the GIN index. */
export function postgresHasTags(
  table: 'memories' | 'tasks',
  _userId: string,
  tags: readonly string[],
): RawBuilder<SqlBool> {
  return sql<SqlBool>`${sql.ref(`${table}.tags`)} @> ${[...tags]}::text[]`
}

export function postgresDialect(
  vectors: VectorIndex | undefined,
  rowSecurity: RowSecurity,
): SqlDialect {
  return {
    name: 'postgresql',
    vectors,
    withUser: postgresWithUser(rowSecurity),
    encodeTags: (tags) => [...tags],
    hasTags: postgresHasTags,

    taskTextMatch(text) {
      const pattern = `%${escapeLike(text)}%`
      return sql<SqlBool>`(tasks.title ilike ${pattern} escape '\\' or tasks.notes ilike ${pattern} escape '\\')`
    },

    async fullText(db, { userId, terms, tags, limit }) {
      const query = sql`to_tsquery('simple', ${tsQueryText(terms)})`
      let select = db
        .selectFrom('memories')
        .select(MEMORY_COLUMNS)
        .select(sql<number>`ts_rank_cd(search, ${query})`.as('score'))
        .where('user_id', '=', userId)
        .where(sql<SqlBool>`search @@ ${query}`)
        .orderBy('score', 'desc')
        .orderBy('updated_at', 'desc')
        .orderBy('id', 'desc')
        .limit(limit)
      if (tags.length > 0) select = select.where(postgresHasTags('memories', userId, tags))
      const rows = await select.execute()
      return rows.map(({ score, ...row }) => ({ row, score: Number(score) }))
    },
  }
}
