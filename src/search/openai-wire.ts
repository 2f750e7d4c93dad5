import { EmbedderError } from './embedder-error.js'

/**
 * The OpenAI embeddings wire format (`POST /v1/embeddings`), as spoken by OpenAI and by the
 * servers that copy it (Ollama, llama.cpp, vLLM, LiteLLM, LocalAI, Azure's v1 API...).
 * Parsing errors describe the shape only: never a value from the body, which may echo the input.
 */
export interface EmbeddingsRequestBody {
  model: string
  input: string[]
  dimensions?: number
}

function unexpected(what: string): EmbedderError {
  return new EmbedderError(
    'bad_response',
    `embeddings service returned an unexpected body: ${what}`,
  )
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
}

/**
 * Parses a 2xx body into one unit vector per input, ordered by `index` (by position when no item
 * has an index). Checks the count and that every vector has the same, non-zero length.
 */
export function parseEmbeddingsBody(body: string, inputs: number): Float32Array[] {
  let json: unknown
  try {
    json = JSON.parse(body)
  } catch {
    // The SyntaxError quotes the body: leave it out.
    throw unexpected('it is not JSON')
  }
  if (!isRecord(json) || !Array.isArray(json.data)) throw unexpected('it has no "data" array')
  const data: unknown[] = json.data
  if (data.length !== inputs) {
    throw unexpected(`${data.length} embeddings for ${inputs} inputs`)
  }
  const withIndex = data.filter((item) => isRecord(item) && item.index !== undefined).length
  if (withIndex !== 0 && withIndex !== data.length) {
    throw unexpected('some items of "data" have an "index" and some do not')
  }
  const ordered = new Array<Float32Array | undefined>(inputs)
  let length: number | undefined
  data.forEach((item, position) => {
    if (!isRecord(item)) throw unexpected(`data[${position}] is not an object`)
    const index = withIndex === 0 ? position : item.index
    if (typeof index !== 'number' || !Number.isInteger(index) || index < 0 || index >= inputs) {
      throw unexpected(`data[${position}].index is not an integer from 0 to ${inputs - 1}`)
    }
    if (ordered[index] !== undefined) throw unexpected(`index ${index} appears twice`)
    const vector = unitVector(item.embedding, position)
    if (length !== undefined && vector.length !== length) {
      throw unexpected(`vectors of different lengths (${length} and ${vector.length})`)
    }
    length = vector.length
    ordered[index] = vector
  })
  return ordered as Float32Array[]
}

/** Validates one embedding and returns it L2-normalised (computed in double precision). */
function unitVector(embedding: unknown, position: number): Float32Array {
  if (!Array.isArray(embedding) || embedding.length === 0) {
    throw unexpected(`data[${position}].embedding is not a non-empty array of numbers`)
  }
  let sum = 0
  for (const value of embedding as unknown[]) {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw unexpected(`data[${position}].embedding is not a non-empty array of numbers`)
    }
    sum += value * value
  }
  if (!Number.isFinite(sum)) throw unexpected(`data[${position}].embedding has values out of range`)
  const scale = sum === 0 ? 0 : 1 / Math.sqrt(sum)
  return Float32Array.from(embedding as number[], (value) => value * scale)
}
