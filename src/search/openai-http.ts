import { EmbedderError } from './embedder-error.js'
import type { EmbedderErrorCode } from './embedder-error.js'

/**
 * The HTTP side of calling an embeddings service, shaped so that nothing the service sends back
 * (body, reason phrase) and nothing secret ends up in an error message.
 */

/** Larger answers are refused: 96 vectors of 3072 numbers take about 6 MB of JSON. */
export const MAX_RESPONSE_BYTES = 64 * 1024 * 1024

const REASONS: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  408: 'Request Timeout',
  413: 'Payload Too Large',
  422: 'Unprocessable Entity',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
}

export const HINTS: Readonly<Record<EmbedderErrorCode, string>> = {
  unauthorized: 'check embeddings.api_key',
  forbidden: 'check that embeddings.api_key may use embeddings.model',
  not_found: 'check embeddings.url (the /v1 base) and embeddings.model',
  bad_request: 'check embeddings.model and embeddings.dimensions',
  rate_limited: 'the service is rate limiting or out of quota; try again later',
  unavailable: 'the service is failing; try again later',
  http_error: 'check embeddings.url',
  timeout: 'check embeddings.url or raise embeddings.timeout_ms',
  unreachable: 'check embeddings.url and that the service is running',
  bad_response: 'check embeddings.url',
  invalid_request: 'check the embeddings settings',
}

function retryAfter(header: string | null): number | undefined {
  if (header === null) return undefined
  if (/^\d+$/.test(header.trim())) return Number(header.trim())
  const date = Date.parse(header)
  return Number.isNaN(date) ? undefined : Math.max(0, Math.ceil((date - Date.now()) / 1000))
}

export function statusError(response: Response): EmbedderError {
  const { status } = response
  const code: EmbedderErrorCode =
    status === 401
      ? 'unauthorized'
      : status === 403
        ? 'forbidden'
        : status === 404
          ? 'not_found'
          : status === 400 || status === 422
            ? 'bad_request'
            : status === 429
              ? 'rate_limited'
              : status >= 500
                ? 'unavailable'
                : 'http_error'
  const reason = REASONS[status] ?? (status >= 300 && status < 400 ? 'redirect' : undefined)
  const hint =
    status >= 300 && status < 400 ? 'set embeddings.url to the final address' : HINTS[code]
  // The status line only: the body may echo the input and the reason phrase is the server's text.
  return new EmbedderError(
    code,
    `embeddings service answered ${status}${reason === undefined ? '' : ` ${reason}`}: ${hint}`,
    { status, retryAfterSeconds: retryAfter(response.headers.get('retry-after')) },
  )
}

/** Reads the body as UTF-8, refusing more than `limit` bytes. */
export async function readText(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length') ?? Number.NaN)
  if (declared > limit) {
    await response.body?.cancel()
    throw new EmbedderError(
      'bad_response',
      `embeddings service returned an unexpected body: larger than ${limit} bytes`,
    )
  }
  if (!response.body) return ''
  const reader = response.body.getReader()
  const chunks: Uint8Array[] = []
  let total = 0
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > limit) {
      await reader.cancel()
      throw new EmbedderError(
        'bad_response',
        `embeddings service returned an unexpected body: larger than ${limit} bytes`,
      )
    }
    chunks.push(value)
  }
  return new TextDecoder().decode(Buffer.concat(chunks))
}

/** The cause's error code (ECONNREFUSED, ENOTFOUND, UND_ERR_SOCKET...): safe to show, unlike its message. */
export function networkCode(error: unknown): string | undefined {
  for (let current: unknown = error, depth = 0; current && depth < 4; depth++) {
    const code = (current as { code?: unknown }).code
    if (typeof code === 'string' && /^[A-Z0-9_]{2,40}$/.test(code)) return code
    current = (current as { cause?: unknown }).cause
  }
  return undefined
}
