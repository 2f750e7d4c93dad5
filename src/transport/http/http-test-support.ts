import { request as httpRequest, type IncomingHttpHeaders } from 'node:http'
import { connect } from 'node:net'
import { Writable } from 'node:stream'
import type { JWTPayload } from 'jose'
import { createLogger, memoryAuditSink, type Logger } from '../../audit/index.js'
import { createJwtVerifier } from '../../auth/guard/index.js'
import { jwksOf, mint, testKey, type TestKey } from '../../auth/guard/test-support.js'
import type { Storage } from '../../storage/ports.js'
import { openSqliteStorage } from '../../storage/sqlite/index.js'
import { SCOPES } from '../../tools/index.js'
import { createHttpApp } from './app.js'
import type { HttpAppOptions } from './options.js'

/** The canonical MCP endpoint of the in-process app (loopback, port 8787). */
export const RESOURCE = new URL('http://127.0.0.1:8787/mcp')
export const HOST = '127.0.0.1:8787'
export const ISSUER = 'https://idp.example.test'
export const PRM_URL = 'http://127.0.0.1:8787/.well-known/oauth-protected-resource/mcp'
export const PRM_ROOT_URL = 'http://127.0.0.1:8787/.well-known/oauth-protected-resource'
/** What a Streamable HTTP client sends on every POST. */
export const MCP_ACCEPT = 'application/json, text/event-stream'

/** A pino logger writing to memory: `text()` is everything it logged. */
export function memoryLogger(): { logger: Logger; lines: string[]; text: () => string } {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  const logger = createLogger({ level: 'debug', destination: stream })
  return { logger, lines, text: () => lines.join('') }
}

let ids = 0

/** One JSON-RPC request object. */
export function rpc(method: string, params?: unknown): Record<string, unknown> {
  ids += 1
  return { jsonrpc: '2.0', id: ids, method, ...(params === undefined ? {} : { params }) }
}

/** A 2025-06-18 (legacy, JSON-RPC POST) `initialize` request. */
export function initialize(version = '2025-06-18'): Record<string, unknown> {
  return rpc('initialize', {
    protocolVersion: version,
    capabilities: {},
    clientInfo: { name: 'http-test', version: '1.0.0' },
  })
}

/** A `tools/call` request. */
export function toolCall(name: string, args: Record<string, unknown> = {}) {
  return rpc('tools/call', { name, arguments: args })
}

/** The options of an in-process app over the given storage; auth off unless overridden. */
function baseOptions(storage: Storage, overrides: Partial<HttpAppOptions> = {}): HttpAppOptions {
  return {
    version: '0.0.0-test',
    resource: RESOURCE,
    tls: false,
    trustProxy: false,
    loopback: true,
    port: 8787,
    allowedHosts: [],
    allowedOrigins: [],
    limits: { maxBodyBytes: 64 * 1024, maxBatch: 4, requestTimeoutMs: 5_000 },
    auth: undefined,
    storage,
    audit: memoryAuditSink(),
    logger: memoryLogger().logger,
    ...overrides,
  }
}

export interface AppHarness {
  app: ReturnType<typeof createHttpApp>['app']
  storage: Storage
  audit: ReturnType<typeof memoryAuditSink>
  log: ReturnType<typeof memoryLogger>
  key: TestKey
  /** A valid access token for RESOURCE with these scopes (claims override the defaults). */
  token(scopes: readonly string[], claims?: JWTPayload): Promise<string>
  /** A request to the app with the loopback Host header set (unless given). */
  request(path: string, init?: RequestInit): Promise<Response>
  /** POST a JSON-RPC body to /mcp with the MCP Accept and JSON Content-Type headers. */
  post(body: unknown, headers?: Record<string, string>): Promise<Response>
  /** Like `post`, as if the TCP peer were `ip` (what @hono/node-server passes in `env`). */
  postFrom(ip: string, body: unknown, headers?: Record<string, string>): Promise<Response>
  close(): Promise<void>
}

/**
 * The HTTP app in process, over SQLite `:memory:` and a real JWT verifier (local JWKS).
 * `withAuth: false` turns authentication off; other options override the defaults.
 */
export async function appHarness(
  overrides: Partial<HttpAppOptions> & { withAuth?: boolean } = {},
): Promise<AppHarness> {
  const { withAuth = true, ...rest } = overrides
  const storage = await openSqliteStorage({ path: ':memory:' })
  const key = await testKey('k1')
  const log = memoryLogger()
  const audit = memoryAuditSink()
  const auth = withAuth
    ? {
        verifier: createJwtVerifier({
          issuer: ISSUER,
          audience: RESOURCE.href,
          jwks: await jwksOf(key),
        }),
        authorizationServers: [ISSUER],
        scopesSupported: SCOPES,
        resourceName: 'mcp-pa test',
      }
    : undefined
  const options = baseOptions(storage, { auth, audit, logger: log.logger, ...rest })
  const { app } = createHttpApp(options)
  const now = Math.floor(Date.now() / 1000)
  const request = (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers)
    if (!headers.has('host')) headers.set('host', HOST)
    return Promise.resolve(app.request(`http://${HOST}${path}`, { ...init, headers }))
  }
  const mcpInit = (body: unknown, headers: Record<string, string>): RequestInit => ({
    method: 'POST',
    headers: {
      host: HOST,
      'content-type': 'application/json',
      accept: MCP_ACCEPT,
      ...headers,
    },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  })
  const token = (scopes: readonly string[], claims: JWTPayload = {}) =>
    mint(key, {
      iss: ISSUER,
      aud: RESOURCE.href,
      sub: 'alice',
      iat: now,
      exp: now + 600,
      scope: scopes.join(' '),
      client_id: 'test-client',
      ...claims,
    })
  return {
    app,
    storage,
    audit,
    log,
    key,
    token,
    request,
    post: (body, headers = {}) => request('/mcp', mcpInit(body, headers)),
    postFrom: async (ip, body, headers = {}) =>
      app.fetch(new Request(RESOURCE, mcpInit(body, headers)), {
        incoming: { socket: { remoteAddress: ip } },
      }),
    close: () => storage.close(),
  }
}

/** The parsed `WWW-Authenticate: Bearer` parameters (quoted-string values, unescaped). */
export function challengeParams(header: string | null): Record<string, string> {
  if (header === null) return {}
  expectBearer(header)
  const params: Record<string, string> = {}
  for (const match of header.matchAll(/([a-z_]+)="((?:[^"\\]|\\.)*)"/g)) {
    params[match[1] ?? ''] = (match[2] ?? '').replace(/\\(.)/g, '$1')
  }
  return params
}

function expectBearer(header: string): void {
  if (!header.startsWith('Bearer ')) throw new Error(`not a Bearer challenge: ${header}`)
}

/** A JSON-RPC answer, as far as the tests look into it. */
export interface RpcAnswer {
  jsonrpc: string
  id: unknown
  result?: {
    protocolVersion?: string
    serverInfo?: { name: string }
    tools?: { name: string }[]
    content?: { type: string; text: string }[]
    isError?: boolean
    structuredContent?: Record<string, unknown>
  }
  error?: { code: number; message: string }
}

/** The JSON-RPC answer of a POST: a JSON body, or the first `data:` line of an SSE stream. */
export async function rpcResult(response: Response): Promise<RpcAnswer> {
  const text = await response.text()
  if ((response.headers.get('content-type') ?? '').includes('text/event-stream')) {
    const data = text.split('\n').find((line) => line.startsWith('data:'))
    return JSON.parse(data?.slice(5) ?? 'null') as RpcAnswer
  }
  return JSON.parse(text) as RpcAnswer
}

/** A raw HTTP/1.1 exchange over a fresh connection (no keep-alive pool, no retries). */
export interface RawResponse {
  status: number
  headers: IncomingHttpHeaders
  body: string
}

/**
 * One request on its own connection (`agent: false`). `response` resolves when the whole body
 * has arrived; `head` as soon as the status line and headers have.
 */
export function rawRequest(
  url: URL,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): { head: Promise<number>; response: Promise<RawResponse>; abort(): void } {
  let onHead: (status: number) => void = () => undefined
  const head = new Promise<number>((resolve) => (onHead = resolve))
  let abort = () => undefined as void
  const response = new Promise<RawResponse>((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        onHead(res.statusCode ?? 0)
        const chunks: Buffer[] = []
        res.on('data', (chunk: Buffer) => chunks.push(chunk))
        res.on('error', reject)
        res.on('aborted', () => reject(new Error('response aborted')))
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            headers: res.headers,
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        )
      },
    )
    req.on('error', reject)
    abort = () => req.destroy()
    req.end(options.body)
  })
  return { head, response, abort: () => abort() }
}

/** Whether a new TCP connection to `url` is refused (the listener is closed). */
export function connectionRefused(url: URL): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect(Number(url.port), url.hostname)
    socket.once('connect', () => {
      socket.destroy()
      resolve(false)
    })
    socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code === 'ECONNREFUSED'))
  })
}

/** A promise with its resolver, for holding a store call until the test lets it go. */
export function gate<T = void>(): { promise: Promise<T>; open(value: T): void } {
  let open: (value: T) => void = () => undefined
  const promise = new Promise<T>((resolve) => (open = resolve))
  return { promise, open: (value) => open(value) }
}
