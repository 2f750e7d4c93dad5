import type { PoolClient } from 'pg'
import { MAX_EMBEDDING_DIMS } from '../kysely/index.js'
import { EMBEDDINGS_ROW_SECURITY } from './migrations.js'

export const PGVECTOR_MISSING =
  'the pgvector extension is not installed in this database; install it (apt install postgresql-15-pgvector / CREATE EXTENSION vector) or set features.vector_search=false. Falling back to full-text search.'

/**
 * The idempotent pgvector step, run under the migration lock after the migrations when vector
 * search is on. Kept out of the versioned migrations because the extension may be absent.
 * The column is an unconstrained `vector`: each model's dimension gets its own partial HNSW
 * index, created when first seen (vectors.ts). Row-level security as on the other per-user
 * tables (migration 2), applied idempotently since the table may be new.
 */
const EMBEDDINGS_TABLE = `
CREATE TABLE IF NOT EXISTS memory_embeddings (
  memory_id text PRIMARY KEY REFERENCES memories (id) ON DELETE CASCADE,
  user_id text NOT NULL REFERENCES users (id) ON DELETE CASCADE,
  model text NOT NULL,
  dims integer NOT NULL CHECK (dims BETWEEN 1 AND ${MAX_EMBEDDING_DIMS}),
  embedding vector NOT NULL CHECK (vector_dims(embedding) = dims)
);
CREATE INDEX IF NOT EXISTS memory_embeddings_user_model ON memory_embeddings (user_id, model, dims);
`

export type VectorSetup = { available: true } | { available: false; reason: string }

export async function setupVectors(
  client: PoolClient,
  logger: { warn(message: string): void } | undefined,
): Promise<VectorSetup> {
  try {
    await client.query('CREATE EXTENSION IF NOT EXISTS vector')
  } catch {
    logger?.warn(PGVECTOR_MISSING)
    return { available: false, reason: PGVECTOR_MISSING }
  }
  await client.query(EMBEDDINGS_TABLE)
  await client.query(EMBEDDINGS_ROW_SECURITY)
  return { available: true }
}
