/**
 * Outbound requests from the guard to an authorization server (introspection, metadata): global
 * `fetch` only (no `node:http` in the guard, DESIGN §4), a deadline covering the whole exchange,
 * redirects never followed, and a cap on the body read. Every failure is a {@link FetchFailure}
 * whose message is a private detail built here, never from the request: it cannot carry a token
 * or a client secret.
 */

/** Why an exchange gave no usable answer. The message is for logs, never for the wire. */
export class FetchFailure extends Error {
  constructor(message: string) {
    super(message)
    this.name = 'FetchFailure'
  }
}

export interface BoundedFetchOptions {
  fetch: typeof fetch
  timeoutMs: number
  maxBytes: number
}

/** The status, and the body only for a 2xx or 400 answer (other bodies are discarded unread). */
export interface BoundedResponse {
  status: number
  body: string
}

/** A `fetch` that calls the global one at call time, so it is never captured unbound. */
export const globalFetch: typeof fetch = (input, init) => globalThis.fetch(input, init)

/** `origin + pathname` of a URL: what a detail may name (no query, no credentials). */
export function endpointName(url: URL): string {
  return `${url.origin}${url.pathname}`
}

function networkReason(error: unknown): string {
  const cause = error instanceof Error ? error.cause : undefined
  const code =
    typeof cause === 'object' && cause !== null && 'code' in cause ? cause.code : undefined
  return typeof code === 'string' ? `network error (${code})` : 'network error'
}

function decodeChunk(decoder: InstanceType<typeof TextDecoder>, chunk?: Uint8Array): string {
  try {
    return chunk === undefined ? decoder.decode() : decoder.decode(chunk, { stream: true })
  } catch {
    throw new FetchFailure('the answer is not UTF-8')
  }
}

async function readCapped(response: Response, maxBytes: number): Promise<string> {
  const tooLarge = `the answer is larger than ${maxBytes} bytes`
  if (Number(response.headers.get('content-length') ?? '0') > maxBytes) {
    await response.body?.cancel()
    throw new FetchFailure(tooLarge)
  }
  const reader = response.body?.getReader()
  const decoder = new TextDecoder('utf-8', { fatal: true })
  let text = ''
  let total = 0
  while (reader !== undefined) {
    const { done, value } = await reader.read()
    if (done) break
    total += value.byteLength
    if (total > maxBytes) {
      await reader.cancel()
      throw new FetchFailure(tooLarge)
    }
    text += decodeChunk(decoder, value)
  }
  return text + decodeChunk(decoder)
}

/**
 * Sends one request with `redirect: 'manual'` and a deadline of `timeoutMs` for the answer and its
 * body. A 3xx answer is a failure (a redirect could lead the guard anywhere); a 2xx body larger
 * than `maxBytes` is a failure.
 */
export async function boundedFetch(
  url: URL,
  init: RequestInit,
  options: BoundedFetchOptions,
): Promise<BoundedResponse> {
  const controller = new AbortController()
  const timer = setTimeout(() => controller.abort(), options.timeoutMs)
  try {
    const response = await options.fetch(url, {
      ...init,
      redirect: 'manual',
      signal: controller.signal,
    })
    const { status } = response
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400)) {
      await response.body?.cancel()
      throw new FetchFailure(`answered with a redirect (HTTP ${status}), which is not followed`)
    }
    if (status === 400) {
      // A 400 may say why (RFC 6749 §5.2 error object); read it under the same cap.
      return { status, body: await readCapped(response, options.maxBytes).catch(() => '') }
    }
    if (status < 200 || status > 299) {
      await response.body?.cancel()
      return { status, body: '' }
    }
    return { status, body: await readCapped(response, options.maxBytes) }
  } catch (error) {
    if (error instanceof FetchFailure) throw error
    if (controller.signal.aborted) {
      throw new FetchFailure(`no answer within ${options.timeoutMs} ms`)
    }
    throw new FetchFailure(networkReason(error))
  } finally {
    clearTimeout(timer)
  }
}

/** Parses a body that must be one JSON object (RFC 7662 §2.2, RFC 8414 §3.2). */
export function parseJsonObject(body: string): Record<string, unknown> {
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    throw new FetchFailure('the answer is not valid JSON')
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new FetchFailure('the answer is not a JSON object')
  }
  return value as Record<string, unknown>
}
