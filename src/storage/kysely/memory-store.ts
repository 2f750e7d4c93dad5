import { randomUUID } from 'node:crypto'
import type { Kysely } from 'kysely'
import { normalizeTags, pageLimit } from '../../domain/index.js'
import type { Memory } from '../../domain/index.js'
import type { MemoryStore, StoredEmbedding } from '../ports.js'
import { MEMORY_COLUMNS } from './database.js'
import type { Database } from './database.js'
import { atomically } from './dialect.js'
import type { SqlDialect, UserScope, VectorIndex } from './dialect.js'
import { memoryCursor, readMemoryCursor } from './cursor.js'
import { checkEmbedding } from './embedding.js'
import { searchMemories } from './memory-search.js'
import { toMemory } from './rows.js'

export type Clock = () => string

/** The vector index to write `embedding` to, or undefined when there is nothing to write. */
async function vectorsFor(
  dialect: SqlDialect,
  embedding: StoredEmbedding | undefined,
): Promise<VectorIndex | undefined> {
  if (embedding === undefined || dialect.vectors === undefined) return undefined
  checkEmbedding(embedding)
  await dialect.vectors.prepare(embedding)
  return dialect.vectors
}

export function createMemoryStore(asUser: UserScope, dialect: SqlDialect, now: Clock): MemoryStore {
  return {
    async create(userId, memory, embedding) {
      const vectors = await vectorsFor(dialect, embedding)
      const at = now()
      const created: Memory = {
        id: randomUUID(),
        userId,
        content: memory.content,
        tags: [...memory.tags],
        importance: memory.importance,
        createdAt: at,
        updatedAt: at,
      }
      const insert = (trx: Kysely<Database>) =>
        trx
          .insertInto('memories')
          .values({
            id: created.id,
            user_id: userId,
            content: created.content,
            tags: dialect.encodeTags(created.tags),
            importance: created.importance,
            created_at: at,
            updated_at: at,
          })
          .execute()
      await asUser(userId, async (db) => {
        if (vectors === undefined || embedding === undefined) {
          await insert(db)
        } else {
          // Row, tags (SQLite triggers) and embedding land together or not at all.
          await atomically(db, async (trx) => {
            await insert(trx)
            await vectors.save(trx, userId, created.id, embedding)
          })
        }
      })
      return created
    },

    async get(userId, id) {
      const row = await asUser(userId, (db) =>
        db
          .selectFrom('memories')
          .select(MEMORY_COLUMNS)
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .executeTakeFirst(),
      )
      return row === undefined ? undefined : toMemory(row)
    },

    async list(userId, page) {
      const limit = pageLimit(page.limit)
      const tags = normalizeTags(page.tags)
      const after = page.cursor === undefined ? undefined : readMemoryCursor(page.cursor)
      const rows = await asUser(userId, (db) => {
        let query = db
          .selectFrom('memories')
          .select(MEMORY_COLUMNS)
          .where('user_id', '=', userId)
          .orderBy('updated_at', 'desc')
          .orderBy('id', 'desc')
          .limit(limit + 1)
        if (tags.length > 0) query = query.where(dialect.hasTags('memories', userId, tags))
        if (after !== undefined) {
          // A row-value comparison, so both databases seek the (user_id, updated_at, id) index.
          query = query.where((eb) =>
            eb(eb.refTuple('updated_at', 'id'), '<', eb.tuple(after.updatedAt, after.id)),
          )
        }
        return query.execute()
      })
      const items = rows.map(toMemory)
      const more = items.length > limit
      if (more) items.length = limit
      const last = items.at(-1)
      return { items, nextCursor: more && last !== undefined ? memoryCursor(last) : null }
    },

    async update(userId, id, patch, embedding) {
      const vectors = await vectorsFor(dialect, embedding)
      const stale = patch.content !== undefined ? dialect.vectors : undefined
      const apply = async (trx: Kysely<Database>) => {
        const row = await trx
          .updateTable('memories')
          .set({
            updated_at: now(),
            ...(patch.content !== undefined && { content: patch.content }),
            ...(patch.tags !== undefined && { tags: dialect.encodeTags(patch.tags) }),
            ...(patch.importance !== undefined && { importance: patch.importance }),
          })
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .returning(MEMORY_COLUMNS)
          .executeTakeFirst()
        if (row === undefined) return undefined
        if (vectors !== undefined && embedding !== undefined) {
          await vectors.save(trx, userId, id, embedding)
        } else if (stale !== undefined) {
          // New content without a new vector: the old vector would answer for text that is gone.
          await stale.remove(trx, userId, id)
        }
        return toMemory(row)
      }
      return asUser(userId, (db) =>
        vectors === undefined && stale === undefined ? apply(db) : atomically(db, apply),
      )
    },

    async delete(userId, id) {
      // Embeddings (and SQLite's tag rows) go with the memory: ON DELETE CASCADE.
      const result = await asUser(userId, (db) =>
        db
          .deleteFrom('memories')
          .where('user_id', '=', userId)
          .where('id', '=', id)
          .executeTakeFirst(),
      )
      return result.numDeletedRows > 0n
    },

    search(userId, query, embedding) {
      return searchMemories(asUser, dialect, userId, query, embedding)
    },
  }
}
