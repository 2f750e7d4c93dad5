import { DomainError } from '../../domain/index.js'
import type { QueryEmbedding } from '../ports.js'

/** pgvector's limit for the `vector` type; SQLite follows it so both accept the same input. */
export const MAX_EMBEDDING_DIMS = 16_000
const MAX_MODEL_CHARS = 200

/**
 * Checks an embedding before it is stored or searched with: a named model, 1 to 16 000
 * finite components, not all zero (cosine similarity is undefined for a zero vector).
 */
export function checkEmbedding(embedding: QueryEmbedding): void {
  const { model, vector } = embedding
  if (typeof model !== 'string' || model.length === 0 || model.length > MAX_MODEL_CHARS) {
    throw new DomainError(
      'invalid_input',
      `embedding model name must be 1-${MAX_MODEL_CHARS} characters`,
    )
  }
  if (!(vector instanceof Float32Array) || vector.length === 0) {
    throw new DomainError('invalid_input', 'embedding vector must be a non-empty Float32Array')
  }
  if (vector.length > MAX_EMBEDDING_DIMS) {
    throw new DomainError(
      'invalid_input',
      `embedding has ${vector.length} dimensions; at most ${MAX_EMBEDDING_DIMS} are supported`,
    )
  }
  let norm = 0
  for (const value of vector) {
    if (!Number.isFinite(value)) {
      throw new DomainError('invalid_input', 'embedding vector contains a NaN or infinite value')
    }
    norm += value * value
  }
  if (norm === 0) {
    throw new DomainError('invalid_input', 'embedding vector is all zeros')
  }
}
