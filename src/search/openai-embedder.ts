import type { Embedder } from './embedder.js'
import { EmbedderError } from './embedder-error.js'
import { embeddingsEndpoint } from './openai-endpoint.js'
import { HINTS, MAX_RESPONSE_BYTES, networkCode, readText, statusError } from './openai-http.js'
import { parseEmbeddingsBody } from './openai-wire.js'
import type { EmbeddingsRequestBody } from './openai-wire.js'

export interface OpenAiEmbedderOptions {
  /** The API's `/v1` base, e.g. `https://api.openai.com/v1`. https, or http on a loopback host. */
  url: string
  /** The model name the service knows, e.g. `text-embedding-3-small`. */
  model: string
  /** Sent as `Authorization: Bearer <key>`; an empty key sends no header (local servers). */
  apiKey: { reveal(): string }
  /** Asked of the service (models that can shorten their vectors) and checked in every answer. */
  dimensions?: number
  /** Per request. Default 10 000. */
  timeoutMs?: number
  fetch?: typeof globalThis.fetch
}

/** Inputs per request: under every known service's limit (OpenAI allows 2048, Cohere 96). */
export const OPENAI_BATCH_SIZE = 96
const TIMEOUT_MS_DEFAULT = 10_000
/** Visible ASCII only: anything else cannot be a bearer token and would break the header. */
const HEADER_SAFE = /^[\u0021-\u007E]*$/

function positiveInteger(value: number | undefined, name: string): void {
  if (value !== undefined && (!Number.isInteger(value) || value <= 0)) {
    throw new TypeError(`${name} must be a positive integer, got ${String(value)}`)
  }
}

class OpenAiEmbedder implements Embedder {
  readonly model: string
  readonly #endpoint: URL
  readonly #apiKey: { reveal(): string }
  readonly #configuredDimensions: number | undefined
  readonly #timeoutMs: number
  readonly #fetch: typeof globalThis.fetch
  #dimensions: number

  constructor(options: OpenAiEmbedderOptions) {
    this.#endpoint = embeddingsEndpoint(options.url)
    if (typeof options.model !== 'string' || options.model.trim() === '') {
      throw new TypeError('embeddings.model must name a model, e.g. text-embedding-3-small')
    }
    if (typeof options.apiKey?.reveal !== 'function') {
      throw new TypeError('embeddings.api_key must be a secret with reveal()')
    }
    positiveInteger(options.dimensions, 'embeddings.dimensions')
    positiveInteger(options.timeoutMs, 'embeddings.timeout_ms')
    this.model = options.model
    this.#apiKey = options.apiKey
    this.#configuredDimensions = options.dimensions
    this.#dimensions = options.dimensions ?? 0
    this.#timeoutMs = options.timeoutMs ?? TIMEOUT_MS_DEFAULT
    this.#fetch = options.fetch ?? globalThis.fetch
  }

  /** The configured dimensions, else learned from the first answer: 0 until then. */
  get dimensions(): number {
    return this.#dimensions
  }

  async embed(texts: string[], signal?: AbortSignal): Promise<Float32Array[]> {
    signal?.throwIfAborted()
    texts.forEach((text, i) => {
      if (typeof text !== 'string') {
        throw new EmbedderError('invalid_request', `texts[${i}] is not a string`)
      }
    })
    // Services refuse empty inputs; an empty text's vector is the zero vector, as in the port.
    const sent = texts.flatMap((text, i) => (text === '' ? [] : [i]))
    const vectors = new Array<Float32Array>(texts.length)
    for (let start = 0; start < sent.length; start += OPENAI_BATCH_SIZE) {
      const batch = sent.slice(start, start + OPENAI_BATCH_SIZE)
      const answered = await this.#request(
        batch.map((i) => texts[i] ?? ''),
        signal,
      )
      batch.forEach((i, j) => {
        vectors[i] = answered[j] ?? new Float32Array(0)
      })
    }
    if (sent.length < texts.length) {
      if (this.#dimensions === 0) {
        throw new EmbedderError(
          'invalid_request',
          'cannot embed only empty texts before the service has told its dimensions: set embeddings.dimensions',
        )
      }
      texts.forEach((text, i) => {
        if (text === '') vectors[i] = new Float32Array(this.#dimensions)
      })
    }
    return vectors
  }

  async #request(input: string[], signal: AbortSignal | undefined): Promise<Float32Array[]> {
    const key = this.#apiKey.reveal()
    if (!HEADER_SAFE.test(key)) {
      throw new EmbedderError(
        'invalid_request',
        'embeddings.api_key has characters that cannot be sent in an HTTP header (spaces, line breaks or non-ASCII): check embeddings.api_key',
      )
    }
    const headers: Record<string, string> = {
      accept: 'application/json',
      'content-type': 'application/json',
    }
    if (key !== '') headers.authorization = `Bearer ${key}`
    const body: EmbeddingsRequestBody = { model: this.model, input }
    if (this.#configuredDimensions !== undefined) body.dimensions = this.#configuredDimensions
    const timeout = AbortSignal.timeout(this.#timeoutMs)
    let text: string
    try {
      const response = await this.#fetch(this.#endpoint, {
        method: 'POST',
        headers,
        body: JSON.stringify(body),
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        // The key must not follow a redirect; an API base that redirects is a misconfiguration.
        redirect: 'manual',
      })
      if (response.status < 200 || response.status > 299) {
        await response.body?.cancel().catch(() => undefined)
        throw statusError(response)
      }
      text = await readText(response, MAX_RESPONSE_BYTES)
    } catch (error) {
      if (error instanceof EmbedderError) throw error
      if (signal?.aborted) throw signal.reason
      if (timeout.aborted) {
        throw new EmbedderError(
          'timeout',
          `embeddings service timed out after ${this.#timeoutMs} ms: ${HINTS.timeout}`,
        )
      }
      const code = networkCode(error)
      throw new EmbedderError(
        'unreachable',
        `embeddings service at ${this.#endpoint.origin} could not be reached${code === undefined ? '' : ` (${code})`}: ${HINTS.unreachable}`,
      )
    }
    return this.#check(parseEmbeddingsBody(text, input.length))
  }

  #check(vectors: Float32Array[]): Float32Array[] {
    const length = vectors[0]?.length ?? 0
    if (this.#configuredDimensions !== undefined && length !== this.#configuredDimensions) {
      throw new EmbedderError(
        'bad_response',
        `embeddings service returned ${length}-dimensional vectors, but embeddings.dimensions is ${this.#configuredDimensions}: check that embeddings.model supports that size`,
      )
    }
    if (this.#dimensions !== 0 && length !== this.#dimensions) {
      throw new EmbedderError(
        'bad_response',
        `embeddings service returned ${length}-dimensional vectors after ${this.#dimensions}-dimensional ones: the model behind embeddings.url changed`,
      )
    }
    this.#dimensions = length
    return vectors
  }
}

/**
 * An embedder that calls an OpenAI-compatible embeddings API. Throws TypeError at construction
 * when the options are wrong (http to a non-loopback host among them), and EmbedderError from
 * `embed` when the service fails; a caller's abort rejects with the signal's reason.
 */
export function createOpenAiEmbedder(options: OpenAiEmbedderOptions): Embedder {
  return new OpenAiEmbedder(options)
}
