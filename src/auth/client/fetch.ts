/**
 * The CLI client's requests to URLs it learned from servers. Every URL passes {@link checkUrl};
 * then:
 * - every address a name resolves to is checked, and the socket connects to those checked
 *   addresses: the check runs in the connection's `lookup` hook, so DNS cannot answer one thing
 *   to the check and another to the connection (rebinding). Global `fetch` has no such hook,
 *   which is why this uses node:http;
 * - redirects are never followed: a 3xx is a `redirect_refused` error naming where it pointed.
 *   Metadata documents and OAuth endpoints have one fixed URL (the CIMD draft even requires a
 *   200), and every extra hop would need the same checks. Only the headless authorization
 *   (browser-headless.ts) asks for 3xx answers back (`redirects: 'return'`), to check and send
 *   each hop itself through this same function;
 * - one deadline (`AbortSignal.timeout`) covers the whole exchange, body included, and the body
 *   read is capped.
 */
import { request as httpRequest } from 'node:http'
import type { IncomingMessage } from 'node:http'
import { request as httpsRequest } from 'node:https'
import { isIP } from 'node:net'
import type { LookupFunction } from 'node:net'
import {
  addressAllowed,
  checkUrl,
  ClientFetchError,
  endpointName,
  forbidden,
} from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

export interface ClientRequest {
  /** What the URL is, for messages: "the protected resource metadata". */
  what: string
  method?: 'GET' | 'POST'
  headers?: Readonly<Record<string, string>>
  body?: string
  /** Whether to read the body of an answer with this status (default: always). */
  readBody?: (status: number) => boolean
  /**
   * `refuse` (default): a 3xx is a `redirect_refused` error. `return`: a 3xx is answered like any
   * other status, body unread, for a caller that checks and follows `Location` itself.
   */
  redirects?: 'refuse' | 'return'
}

/**
 * An answer (a 3xx only with `redirects: 'return'`); `body` is `''` when it was not read.
 */
export interface ClientResponse {
  status: number
  headers: Headers
  body: string
}

function unresolvable(what: string, hostname: string): ClientFetchError {
  return new ClientFetchError(
    'unresolvable_host',
    `${what}: the host ${hostname} does not resolve; check the URL`,
  )
}

/** The `lookup` hook: resolve, refuse if any address is not allowed, connect to the rest. */
function guardedLookup(what: string, policy: ClientFetchPolicy): LookupFunction {
  return (hostname, options, callback) => {
    policy.resolve(hostname).then(
      (all) => {
        const trusted = policy.trustedHosts.has(hostname.toLowerCase())
        const refused = trusted ? undefined : all.find((a) => !addressAllowed(a, policy))
        const wanted = options.family === 4 || options.family === 6 ? options.family : 0
        const usable = all.filter((a) => isIP(a) !== 0 && (wanted === 0 || isIP(a) === wanted))
        const first = usable[0]
        if (refused !== undefined) callback(forbidden(what, hostname, refused), '')
        else if (first === undefined) callback(unresolvable(what, hostname), '')
        else if (options.all === true) {
          callback(
            null,
            usable.map((address) => ({ address, family: isIP(address) })),
          )
        } else callback(null, first, isIP(first))
      },
      () => callback(unresolvable(what, hostname), ''),
    )
  }
}

function toHeaders(raw: readonly string[]): Headers {
  const headers = new Headers()
  for (let i = 0; i + 1 < raw.length; i += 2) {
    try {
      headers.append(raw[i] ?? '', raw[i + 1] ?? '')
    } catch {
      // A header Headers cannot hold is dropped; nothing here depends on odd headers.
    }
  }
  return headers
}

async function readCapped(response: IncomingMessage, what: string, url: URL, max: number) {
  const tooLarge = () =>
    new ClientFetchError(
      'body_too_large',
      `${what} at ${endpointName(url)} is larger than ${max} bytes; it is not a metadata document or an OAuth answer`,
    )
  if (Number(response.headers['content-length'] ?? '0') > max) throw tooLarge()
  const chunks: Buffer[] = []
  let total = 0
  for await (const chunk of response as AsyncIterable<Buffer>) {
    total += chunk.byteLength
    if (total > max) throw tooLarge()
    chunks.push(chunk)
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks))
  } catch {
    throw new ClientFetchError('invalid_body', `${what} at ${endpointName(url)} is not UTF-8`)
  }
}

function redirectRefused(what: string, url: URL, status: number, location: unknown) {
  const target =
    typeof location === 'string' && URL.canParse(location, url.href)
      ? ` to ${endpointName(new URL(location, url))}`
      : ''
  return new ClientFetchError(
    'redirect_refused',
    `${what} at ${endpointName(url)} answered with a redirect (HTTP ${status})${target}; redirects are not followed: use the final URL, or ask the operator to serve it without a redirect`,
    status,
  )
}

function failure(error: unknown, what: string, url: URL, signal: AbortSignal, ms: number) {
  if (error instanceof ClientFetchError) return error
  if (signal.aborted) {
    return new ClientFetchError(
      'timeout',
      `${what} at ${endpointName(url)} gave no answer within ${ms} ms; check the URL and the network, or raise the timeout`,
    )
  }
  const code = (error as { code?: unknown } | null)?.code
  const reason = typeof code === 'string' ? code : 'the connection failed'
  return new ClientFetchError(
    'network_error',
    `${what} at ${endpointName(url)} could not be reached (${reason}); check the URL and the network`,
  )
}

/**
 * Sends one request to a URL learned from a server, under `policy`: checked URL, checked and
 * pinned addresses, no redirects, one deadline, capped body. Resolves with any non-3xx answer.
 */
export async function clientRequest(
  target: URL | string,
  init: ClientRequest,
  policy: ClientFetchPolicy,
): Promise<ClientResponse> {
  const url = checkUrl(target, init.what, policy)
  const signal = AbortSignal.timeout(policy.timeoutMs)
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest
  let response: IncomingMessage | undefined
  try {
    response = await new Promise<IncomingMessage>((resolve, reject) => {
      const headers = { 'user-agent': 'mcp-pa', ...init.headers }
      const options = { method: init.method ?? 'GET', headers, signal, agent: false as const }
      const request = send(url, { ...options, lookup: guardedLookup(init.what, policy) }, resolve)
      // Kept after the answer: a later error (timeout while reading) surfaces through the body.
      request.on('error', reject)
      request.end(init.body)
    })
    const status = response.statusCode ?? 0
    const redirect = status >= 300 && status < 400
    if (redirect && init.redirects !== 'return') {
      throw redirectRefused(init.what, url, status, response.headers.location)
    }
    const read = !redirect && (init.readBody?.(status) ?? true)
    const body = read ? await readCapped(response, init.what, url, policy.maxBytes) : ''
    return { status, headers: toHeaders(response.rawHeaders), body }
  } catch (error) {
    throw failure(error, init.what, url, signal, policy.timeoutMs)
  } finally {
    response?.destroy()
  }
}

/**
 * GETs a JSON object (a metadata document): the answer must be 200 (RFC 8414 §3.2, RFC 9728
 * §3.2) with a body that parses as one JSON object.
 */
export async function fetchJsonObject(
  target: URL | string,
  what: string,
  policy: ClientFetchPolicy,
): Promise<Record<string, unknown>> {
  const init = { what, headers: { accept: 'application/json' }, readBody: (s: number) => s === 200 }
  const { status, body } = await clientRequest(target, init, policy)
  const where = `${what} at ${endpointName(new URL(target))}`
  if (status !== 200) {
    throw new ClientFetchError('unexpected_status', `${where} answered HTTP ${status}`, status)
  }
  let value: unknown
  try {
    value = JSON.parse(body)
  } catch {
    throw new ClientFetchError('invalid_body', `${where} is not valid JSON`)
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ClientFetchError('invalid_body', `${where} is not a JSON object`)
  }
  return value as Record<string, unknown>
}
