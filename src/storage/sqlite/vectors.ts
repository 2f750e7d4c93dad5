import { sql } from 'kysely'
import type { VectorHit, VectorIndex } from '../kysely/index.js'
import { sqliteRowHasTags } from './tags.js'

/** A Float32Array as little-endian bytes (every platform Node supports is little-endian). */
function toBlob(vector: Float32Array): Buffer {
  return Buffer.from(vector.buffer, vector.byteOffset, vector.byteLength)
}

function fromBlob(blob: Uint8Array): Float32Array {
  if (blob.byteOffset % Float32Array.BYTES_PER_ELEMENT === 0) {
    return new Float32Array(blob.buffer, blob.byteOffset, blob.byteLength / 4)
  }
  return new Float32Array(new Uint8Array(blob).buffer)
}

/** Keeps the best `limit` hits in a small sorted array: O(n·log k) instead of sorting n. */
function pushTop(top: VectorHit[], hit: VectorHit, limit: number): void {
  if (top.length === limit && hit.score <= (top.at(-1)?.score ?? -Infinity)) return
  let at = top.length
  while (at > 0 && (top[at - 1]?.score ?? 0) < hit.score) at--
  top.splice(at, 0, hit)
  if (top.length > limit) top.pop()
}

/**
 * Semantic search for SQLite: embeddings are BLOBs in `memory_embeddings`, and a query scans
 * the user's vectors of the same model and dimension in process, by cosine similarity. That is
 * linear in the number of the user's memories — fine at personal scale (a few thousand), and
 * the reason PostgreSQL uses pgvector's HNSW index instead.
 */
export function sqliteVectors(): VectorIndex {
  return {
    async prepare() {},

    async save(trx, userId, memoryId, embedding) {
      await sql`
        insert into memory_embeddings (memory_id, user_id, model, dims, embedding)
        values (${memoryId}, ${userId}, ${embedding.model}, ${embedding.vector.length}, ${toBlob(embedding.vector)})
        on conflict (memory_id) do update set
          user_id = excluded.user_id, model = excluded.model,
          dims = excluded.dims, embedding = excluded.embedding`.execute(trx)
    },

    async remove(trx, userId, memoryId) {
      await sql`delete from memory_embeddings where memory_id = ${memoryId} and user_id = ${userId}`.execute(
        trx,
      )
    },

    async nearest(db, { userId, embedding, tags, limit }) {
      const query = embedding.vector
      const dims = query.length
      const tagFilter =
        tags.length > 0
          ? sql`and exists (select 1 from memories where memories.id = e.memory_id and ${sqliteRowHasTags('memories', tags)})`
          : sql``
      const result = await sql<{ id: string; embedding: Uint8Array }>`
        select e.memory_id as id, e.embedding from memory_embeddings e
        where e.user_id = ${userId} and e.model = ${embedding.model} and e.dims = ${dims} ${tagFilter}`.execute(
        db,
      )
      let queryNorm = 0
      for (const value of query) queryNorm += value * value
      queryNorm = Math.sqrt(queryNorm)
      const top: VectorHit[] = []
      for (const row of result.rows) {
        const vector = fromBlob(row.embedding)
        let dot = 0
        let norm = 0
        for (let i = 0; i < dims; i++) {
          const value = vector[i] ?? 0
          dot += value * (query[i] ?? 0)
          norm += value * value
        }
        if (norm === 0) continue
        pushTop(top, { id: row.id, score: dot / (Math.sqrt(norm) * queryNorm) }, limit)
      }
      return top
    },
  }
}
