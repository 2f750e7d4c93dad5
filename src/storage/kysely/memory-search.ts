import type { Kysely } from 'kysely'
import { normalizeTags, pageLimit, reciprocalRankFusion, searchTerms } from '../../domain/index.js'
import type { MemorySearchHit, MemorySearchQuery } from '../../domain/index.js'
import type { QueryEmbedding } from '../ports.js'
import { MEMORY_COLUMNS } from './database.js'
import type { Database, MemoryRow } from './database.js'
import type { RankedRow, SqlDialect, UserScope, VectorHit } from './dialect.js'
import { checkEmbedding } from './embedding.js'
import { toMemory } from './rows.js'

/** Candidates taken from each index before fusion: more than `limit`, so fusion can reorder. */
function candidates(limit: number): number {
  return Math.min(Math.max(limit * 2, 20), 200)
}

/**
 * Ranked memory search. Full text always (a query without letters or digits finds nothing);
 * when an embedding is given and the backend has vector search, the semantic neighbours are
 * fused with the full-text hits by reciprocal rank and the score is the fused score.
 */
export async function searchMemories(
  asUser: UserScope,
  dialect: SqlDialect,
  userId: string,
  query: MemorySearchQuery,
  embedding: QueryEmbedding | undefined,
): Promise<MemorySearchHit[]> {
  const terms = searchTerms(query.text)
  const limit = pageLimit(query.limit)
  const tags = normalizeTags(query.tags)
  if (terms.length === 0) return []
  const vectors = embedding === undefined ? undefined : dialect.vectors
  if (vectors === undefined || embedding === undefined) {
    const hits = await asUser(userId, (db) => dialect.fullText(db, { userId, terms, tags, limit }))
    return hits.map(({ row, score }) => ({
      memory: toMemory(row),
      score,
      matchedBy: ['fulltext'],
    }))
  }
  checkEmbedding(embedding)
  const pool = candidates(limit)
  return asUser(userId, async (db) => {
    const text = await dialect.fullText(db, { userId, terms, tags, limit: pool })
    const near = await vectors.nearest(db, { userId, embedding, tags, limit: pool })
    return fuse(db, userId, limit, text, near)
  })
}

/** Fuses both rankings and loads the rows that only the vector index returned. */
async function fuse(
  db: Kysely<Database>,
  userId: string,
  limit: number,
  text: RankedRow[],
  near: VectorHit[],
): Promise<MemorySearchHit[]> {
  const textIds = text.map(({ row }) => row.id)
  const nearIds = near.map(({ id }) => id)
  const fused = [...reciprocalRankFusion([textIds, nearIds])]
    .sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))
    .slice(0, limit)
  const rows = new Map<string, MemoryRow>(text.map(({ row }) => [row.id, row]))
  const missing = fused.map(([id]) => id).filter((id) => !rows.has(id))
  if (missing.length > 0) {
    const loaded = await db
      .selectFrom('memories')
      .select(MEMORY_COLUMNS)
      .where('user_id', '=', userId)
      .where('id', 'in', missing)
      .execute()
    for (const row of loaded) rows.set(row.id, row)
  }
  const inText = new Set(textIds)
  const inNear = new Set(nearIds)
  return fused.flatMap(([id, score]) => {
    const row = rows.get(id)
    if (row === undefined) return [] // deleted between the two queries
    const matchedBy: MemorySearchHit['matchedBy'] = []
    if (inText.has(id)) matchedBy.push('fulltext')
    if (inNear.has(id)) matchedBy.push('semantic')
    return [{ memory: toMemory(row), score, matchedBy }]
  })
}
