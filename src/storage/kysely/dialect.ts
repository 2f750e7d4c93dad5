import type { Expression, Kysely, SqlBool } from 'kysely'
import type { QueryEmbedding, StoredEmbedding } from '../ports.js'
import type { Database, MemoryRow } from './database.js'

/** A full-text query: `terms` come only from the domain's `searchTerms()`. */
export interface FullTextQuery {
  userId: string
  terms: readonly string[]
  /** Every one of these tags must be on a hit. */
  tags: readonly string[]
  limit: number
}

/** A memory row with its relevance; higher is better. */
export interface RankedRow {
  row: MemoryRow
  score: number
}

export interface VectorQuery {
  userId: string
  embedding: QueryEmbedding
  tags: readonly string[]
  limit: number
}

/** Nearest memories by cosine similarity (1 = same direction), best first. */
export interface VectorHit {
  id: string
  score: number
}

/** Embedding storage and nearest-neighbour search of one dialect. */
export interface VectorIndex {
  /** Runs before the write transaction (PostgreSQL creates a new dimension's HNSW index here). */
  prepare(embedding: StoredEmbedding): Promise<void>
  /** Inserts or replaces the embedding of a memory; runs inside the row's transaction. */
  save(
    trx: Kysely<Database>,
    userId: string,
    memoryId: string,
    embedding: StoredEmbedding,
  ): Promise<void>
  /** Drops a memory's embedding (its content changed and no new vector came with it). */
  remove(trx: Kysely<Database>, userId: string, memoryId: string): Promise<void>
  nearest(db: Kysely<Database>, query: VectorQuery): Promise<VectorHit[]>
}

/**
 * What differs between SQLite and PostgreSQL; everything else (CRUD, filters, keyset
 * pagination, fusion) is shared Kysely code in this folder.
 */
export interface SqlDialect {
  readonly name: 'sqlite' | 'postgresql'
  /** The stored form of a tag list: JSON text (SQLite) or `text[]` (PostgreSQL). */
  encodeTags(tags: readonly string[]): string | string[]
  /** True when the row of `table` (referred to as `<table>.id`) carries every one of `tags`. */
  hasTags(table: 'memories' | 'tasks', userId: string, tags: readonly string[]): Expression<SqlBool>
  /** Case-insensitive substring match on a task's title or notes; `text` is never a pattern. */
  taskTextMatch(text: string): Expression<SqlBool>
  /** Ranked full-text hits of one user, best first. */
  fullText(db: Kysely<Database>, query: FullTextQuery): Promise<RankedRow[]>
  /** Present only when semantic search runs in this backend. */
  readonly vectors: VectorIndex | undefined
  /**
   * Runs one memory or task operation of `userId` with the handle `work` must use for every
   * query. PostgreSQL opens a transaction that first sets the row-level-security user (and
   * role), so even a query that forgets its `user_id` filter sees only this user's rows;
   * SQLite runs `work(db)` as is: its isolation is the explicit filters alone.
   */
  withUser<T>(
    db: Kysely<Database>,
    userId: string,
    work: (db: Kysely<Database>) => Promise<T>,
  ): Promise<T>
}

/**
 * What the memory and task stores run every query through: `dialect.withUser` over the
 * storage's handle. The stores get no other handle, so no query of theirs can skip the scope.
 */
export type UserScope = <T>(
  userId: string,
  work: (db: Kysely<Database>) => Promise<T>,
) => Promise<T>

/**
 * Runs `work` atomically: inside `db` when it is already a transaction (PostgreSQL's per-user
 * scope), else in a new one (SQLite, whose scope is the plain handle).
 */
export function atomically<T>(
  db: Kysely<Database>,
  work: (trx: Kysely<Database>) => Promise<T>,
): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work)
}

/** Escapes `%`, `_` and the escape character itself, for `LIKE … ESCAPE '\'`. */
export function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (char) => `\\${char}`)
}
