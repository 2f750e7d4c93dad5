/**
 * Turns texts into vectors for semantic search. Implementations return one L2-normalised vector
 * per input, in input order, all of `dimensions` length, so cosine similarity is a dot product.
 * `model` names the vector space: vectors of different models are never compared.
 */
export interface Embedder {
  /** Identifies the vector space, e.g. `builtin-hash-v1-256` or the remote model's name. */
  readonly model: string
  /** Length of every vector. A remote embedder may report 0 until its first answer. */
  readonly dimensions: number
  embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]>
}

/** Scales a vector to unit length in place; a zero vector stays zero. Returns the same array. */
export function normalizeL2(vector: Float32Array): Float32Array {
  let sum = 0
  for (const value of vector) sum += value * value
  if (sum === 0 || !Number.isFinite(sum)) return vector
  const scale = 1 / Math.sqrt(sum)
  for (let i = 0; i < vector.length; i++) vector[i] = (vector[i] ?? 0) * scale
  return vector
}

/** Dot product of two vectors of equal length: their cosine similarity when both are unit vectors. */
export function cosineSimilarity(a: Float32Array, b: Float32Array): number {
  if (a.length !== b.length) {
    throw new RangeError(`vectors differ in length: ${a.length} and ${b.length}`)
  }
  let sum = 0
  for (let i = 0; i < a.length; i++) sum += (a[i] ?? 0) * (b[i] ?? 0)
  return sum
}
