import { sql } from 'kysely'
import type { Kysely } from 'kysely'
import { MAX_EMBEDDING_DIMS } from '../kysely/index.js'
import type { Database, VectorIndex } from '../kysely/index.js'
import { postgresHasTags } from './dialect.js'

/** pgvector's HNSW indexes take `vector` columns of up to 2000 dimensions. */
const MAX_HNSW_DIMS = 2000

/** A validated dimension count as SQL text: an integer we checked, never caller text. */
function dimsSql(dims: number) {
  if (!Number.isInteger(dims) || dims < 1 || dims > MAX_EMBEDDING_DIMS) {
    throw new Error(`embedding dimension ${String(dims)} is out of range`)
  }
  return sql.raw(String(dims))
}

const vectorText = (vector: Float32Array): string => `[${vector.join(',')}]`

function isDuplicate(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code
  return code === '42P07' || code === '23505' // duplicate_table / unique_violation (racing DDL)
}

/**
 * pgvector-backed semantic search. Each dimension has its own partial HNSW index over
 * `embedding::vector(N)`, created the first time a vector of that size is stored; queries
 * order by the same expression, so the planner can use it.
 */
export function postgresVectors(
  db: Kysely<Database>,
  logger: { warn(message: string): void } | undefined,
): VectorIndex {
  const indexed = new Set<number>()
  return {
    async prepare({ vector }) {
      const dims = vector.length
      if (indexed.has(dims) || dims > MAX_HNSW_DIMS) return
      const n = dimsSql(dims)
      try {
        await sql`create index if not exists ${sql.raw(`memory_embeddings_hnsw_${dims}`)}
          on memory_embeddings using hnsw ((embedding::vector(${n})) vector_cosine_ops)
          where dims = ${n}`.execute(db)
      } catch (error) {
        if (!isDuplicate(error)) {
          const reason = error instanceof Error ? error.message : String(error)
          logger?.warn(
            `could not create the HNSW index for ${dims}-dimension embeddings (${reason}); semantic search scans them instead`,
          )
        }
      }
      indexed.add(dims)
    },

    async save(trx, userId, memoryId, { model, vector }) {
      const n = dimsSql(vector.length)
      await sql`
        insert into memory_embeddings (memory_id, user_id, model, dims, embedding)
        values (${memoryId}, ${userId}, ${model}, ${vector.length}, ${vectorText(vector)}::vector(${n}))
        on conflict (memory_id) do update set
          user_id = excluded.user_id, model = excluded.model,
          dims = excluded.dims, embedding = excluded.embedding`.execute(trx)
    },

    async remove(trx, userId, memoryId) {
      await sql`delete from memory_embeddings where memory_id = ${memoryId} and user_id = ${userId}`.execute(
        trx,
      )
    },

    async nearest(conn, { userId, embedding, tags, limit }) {
      const n = dimsSql(embedding.vector.length)
      const query = sql`${vectorText(embedding.vector)}::vector(${n})`
      const tagFilter =
        tags.length > 0
          ? sql`and exists (select 1 from memories where memories.id = e.memory_id and ${postgresHasTags('memories', userId, tags)})`
          : sql``
      const result = await sql<{ id: string; distance: number }>`
        select e.memory_id as id, e.embedding::vector(${n}) <=> ${query} as distance
        from memory_embeddings e
        where e.user_id = ${userId} and e.model = ${embedding.model} and e.dims = ${n} ${tagFilter}
        order by e.embedding::vector(${n}) <=> ${query}
        limit ${limit}`.execute(conn)
      return result.rows.map(({ id, distance }) => ({ id, score: 1 - Number(distance) }))
    },
  }
}
