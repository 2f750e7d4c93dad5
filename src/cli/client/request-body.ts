/**
 * Requests made replayable: the body is read once into memory (a string or bytes), so that the
 * same request can be sent again after a refresh, a login or a step-up.
 */

type ReplayableBody = string | Uint8Array | URLSearchParams | Blob | FormData

export interface BufferedRequest {
  url: string
  init: Omit<RequestInit, 'body'> & { body?: ReplayableBody }
}

async function replayable(body: RequestInit['body']): Promise<ReplayableBody | undefined> {
  if (body === null || body === undefined) return undefined
  if (
    typeof body === 'string' ||
    body instanceof Uint8Array ||
    body instanceof URLSearchParams ||
    body instanceof Blob ||
    body instanceof FormData
  ) {
    return body
  }
  if (body instanceof ArrayBuffer) return new Uint8Array(body)
  if (ArrayBuffer.isView(body)) return new Uint8Array(body.buffer, body.byteOffset, body.byteLength)
  // A stream (or anything else Response understands): read it once.
  return new Uint8Array(await new Response(body).arrayBuffer())
}

/** The request as a URL and an init whose body can be sent any number of times. */
export async function bufferRequest(
  input: string | URL | Request,
  init: RequestInit = {},
): Promise<BufferedRequest> {
  if (input instanceof Request) {
    const method = init.method ?? input.method
    const hasBody = method !== 'GET' && method !== 'HEAD'
    const body = init.body ?? (hasBody ? new Uint8Array(await input.arrayBuffer()) : undefined)
    const merged: Omit<RequestInit, 'body'> = {
      method,
      headers: init.headers ?? input.headers,
      signal: init.signal ?? input.signal,
      redirect: init.redirect ?? input.redirect,
    }
    const buffered = await replayable(body)
    return {
      url: input.url,
      init: { ...merged, ...(buffered === undefined ? {} : { body: buffered }) },
    }
  }
  const { body, ...rest } = init
  const buffered = await replayable(body)
  return {
    url: input instanceof URL ? input.href : input,
    init: { ...rest, ...(buffered === undefined ? {} : { body: buffered }) },
  }
}

/**
 * What a request does, for the step-up counts (STEP-3): the JSON-RPC method, with the tool name
 * for `tools/call`; else the HTTP method and path.
 */
export function operationOf(request: BufferedRequest): string {
  const { body } = request.init
  const fallback = `${request.init.method ?? 'GET'} ${new URL(request.url).pathname}`
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) return fallback
  try {
    const text = typeof body === 'string' ? body : new TextDecoder().decode(body)
    const parsed: unknown = JSON.parse(text)
    const first: unknown = Array.isArray(parsed) ? parsed[0] : parsed
    if (typeof first !== 'object' || first === null) return fallback
    const { method, params } = first as { method?: unknown; params?: { name?: unknown } }
    if (typeof method !== 'string') return fallback
    const name = method === 'tools/call' ? params?.name : undefined
    return typeof name === 'string' ? `${method} ${name}` : method
  } catch {
    return fallback
  }
}
