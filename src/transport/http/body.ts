/** Why a request body was refused before any MCP processing, and the answer to send. */
export interface BodyRefusal {
  status: number
  code: number
  message: string
}

/** A JSON-RPC body read within the limits: the parsed value and its messages. */
export interface ParsedBody {
  value: unknown
  messages: { method?: unknown; params?: unknown }[]
}

const JSON_TYPE = /^application\/json(?:\s*;|$)/i

/** The JSON-RPC error envelope for an answer given before the request reaches the MCP layer. */
export function jsonRpcErrorResponse(
  refusal: BodyRefusal,
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({
      jsonrpc: '2.0',
      id: null,
      error: { code: refusal.code, message: refusal.message },
    }),
    {
      status: refusal.status,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    },
  )
}

async function readBounded(request: Request, maxBytes: number): Promise<Uint8Array | BodyRefusal> {
  const tooLarge: BodyRefusal = {
    status: 413,
    code: -32600,
    message: `request body larger than ${maxBytes} bytes`,
  }
  const declared = request.headers.get('content-length')
  if (declared !== null && Number(declared) > maxBytes) return tooLarge
  if (request.body === null) return new Uint8Array()
  const chunks: Uint8Array[] = []
  let size = 0
  const reader = request.body.getReader()
  for (;;) {
    const { done, value } = await reader.read()
    if (done) break
    size += value.byteLength
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined)
      return tooLarge
    }
    chunks.push(value)
  }
  return Buffer.concat(chunks)
}

/**
 * Reads and parses a POSTed JSON-RPC body under the limits: `Content-Type: application/json`
 * (415 otherwise), at most `maxBytes` (413, checked on the declared length and while streaming),
 * valid JSON (-32700), a message object or a non-empty batch of at most `maxBatch` messages
 * (-32600). The parsed value is handed to the MCP handler, so the body is parsed exactly once.
 */
export async function readJsonRpcBody(
  request: Request,
  limits: { maxBytes: number; maxBatch: number },
): Promise<ParsedBody | BodyRefusal> {
  if (!JSON_TYPE.test(request.headers.get('content-type') ?? '')) {
    return { status: 415, code: -32600, message: 'Content-Type must be application/json' }
  }
  const bytes = await readBounded(request, limits.maxBytes)
  if (!(bytes instanceof Uint8Array)) return bytes
  let value: unknown
  try {
    value = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes))
  } catch {
    return { status: 400, code: -32700, message: 'Parse error: the body is not valid UTF-8 JSON' }
  }
  const messages = Array.isArray(value) ? value : [value]
  if (messages.length === 0) {
    return { status: 400, code: -32600, message: 'Invalid Request: empty batch' }
  }
  if (messages.length > limits.maxBatch) {
    return {
      status: 400,
      code: -32600,
      message: `Invalid Request: a batch may hold at most ${limits.maxBatch} messages`,
    }
  }
  if (!messages.every((m) => typeof m === 'object' && m !== null && !Array.isArray(m))) {
    return { status: 400, code: -32600, message: 'Invalid Request: expected JSON-RPC messages' }
  }
  return { value, messages: messages as ParsedBody['messages'] }
}
