import { afterEach, describe, expect, it } from 'vitest'
import { memoryAuditSink } from '../../audit/index.js'
import type { Storage } from '../../storage/ports.js'
import { openSqliteStorage } from '../../storage/sqlite/index.js'
import {
  connectionRefused,
  gate,
  initialize,
  MCP_ACCEPT,
  memoryLogger,
  rawRequest,
  toolCall,
} from './http-test-support.js'
import { startHttpServer, type RunningHttpServer } from './server.js'

/** HTTP mode over a real socket: startHttpServer on 127.0.0.1 port 0, auth off, SQLite :memory:. */

let server: RunningHttpServer | undefined
let storage: Storage | undefined

afterEach(async () => {
  await server?.stop()
  await storage?.close()
  server = undefined
  storage = undefined
})

async function start(options: { requestTimeoutMs?: number; shutdownTimeoutMs?: number } = {}) {
  storage = await openSqliteStorage({ path: ':memory:' })
  server = await startHttpServer({
    version: '0.0.0-test',
    host: '127.0.0.1',
    port: 0,
    loopback: true,
    mcpPath: '/mcp',
    trustProxy: false,
    allowedHosts: [],
    allowedOrigins: [],
    limits: {
      maxBodyBytes: 64 * 1024,
      maxBatch: 4,
      requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    },
    maxHeaderBytes: 8 * 1024,
    shutdownTimeoutMs: options.shutdownTimeoutMs ?? 5_000,
    auth: undefined,
    storage,
    audit: memoryAuditSink(),
    logger: memoryLogger().logger,
  })
  return { server, storage }
}

/** POST a JSON-RPC message to the running server's MCP endpoint on a fresh connection. */
function post(running: RunningHttpServer, body: unknown) {
  return rawRequest(running.resource, {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: MCP_ACCEPT },
    body: JSON.stringify(body),
  })
}

/** Makes `memories.list` wait until the returned gate opens; `entered` resolves on the call. */
function holdList(store: Storage) {
  const release = gate()
  const entered = gate()
  const list = store.memories.list.bind(store.memories)
  store.memories.list = async (...args) => {
    entered.open()
    await release.promise
    return list(...args)
  }
  return { entered: entered.promise, release: () => release.open() }
}

/** Rejects after `ms` so that a hung exchange fails the test instead of its timeout. */
const within = <T>(ms: number, work: Promise<T>, what: string) =>
  Promise.race([
    work,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: no complete answer within ${ms} ms`)), ms),
    ),
  ])

describe('startHttpServer', () => {
  it('serves a real HTTP request on the port the system chose', async () => {
    const { server: running } = await start()
    expect(running.url.hostname).toBe('127.0.0.1')
    expect(Number(running.url.port)).toBeGreaterThan(0)
    expect(running.resource.href).toBe(`http://127.0.0.1:${running.url.port}/mcp`)
    const health = await rawRequest(new URL('/healthz', running.url)).response
    expect(health.status).toBe(200)
    expect(health.headers['x-content-type-options']).toBe('nosniff')
    const answer = await post(running, initialize()).response
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('"protocolVersion":"2025-06-18"')
  })

  it('drains: refuses new connections while an in-flight request completes with 200', async () => {
    const { server: running, storage: store } = await start()
    const held = holdList(store)
    const inFlight = post(running, toolCall('memory_list'))
    await held.entered
    expect(running.listener.inFlight()).toBe(1)

    const stopped = running.stop()
    expect(await connectionRefused(running.url)).toBe(true)
    held.release()

    const answer = await within(5_000, inFlight.response, 'the in-flight request')
    expect(answer.status).toBe(200)
    expect(answer.body).toContain('No memories yet.')
    await expect(stopped).resolves.toEqual({ drained: true, cut: 0 })
    expect(running.listener.inFlight()).toBe(0)
  })

  it('cuts a request that outlives the shutdown timeout: { drained: false, cut: 1 }', async () => {
    const { server: running, storage: store } = await start({ shutdownTimeoutMs: 200 })
    const held = holdList(store)
    const inFlight = post(running, toolCall('memory_list'))
    const settled = inFlight.response.then(
      () => 'completed',
      () => 'cut',
    )
    await held.entered
    const started = performance.now()
    await expect(running.stop()).resolves.toEqual({ drained: false, cut: 1 })
    expect(performance.now() - started).toBeGreaterThanOrEqual(150)
    expect(await within(2_000, settled, 'the cut request')).toBe('cut')
    held.release()
  })

  it('stop() is idempotent', async () => {
    const { server: running } = await start()
    const first = running.stop()
    expect(running.stop()).toBe(first)
    await expect(first).resolves.toEqual({ drained: true, cut: 0 })
  })

  it('answers 431 to a header section over max_header_bytes', async () => {
    const { server: running } = await start()
    const answer = await rawRequest(new URL('/healthz', running.url), {
      headers: { 'x-padding': 'a'.repeat(16 * 1024) },
    }).response
    expect(answer.status).toBe(431)
    const fine = await rawRequest(new URL('/healthz', running.url), {
      headers: { 'x-padding': 'a'.repeat(1024) },
    }).response
    expect(fine.status).toBe(200)
  })

  it('answers 504 with a JSON-RPC error when a tool outlives request_timeout', async () => {
    const { server: running, storage: store } = await start({
      requestTimeoutMs: 300,
      shutdownTimeoutMs: 100,
    })
    holdList(store) // never released
    const exchange = post(running, toolCall('memory_list'))
    exchange.response.catch(() => undefined)
    const started = performance.now()
    const status = await within(3_000, exchange.head, 'the status line')
    expect(status, 'the status of a tool call hanging past request_timeout').toBe(504)
    const answer = await within(1_000, exchange.response, 'the 504 body')
    expect(performance.now() - started).toBeLessThan(2_000)
    expect(JSON.parse(answer.body)).toMatchObject({
      jsonrpc: '2.0',
      id: null,
      error: { code: -32001 },
    })
  })

  it('streams a slow answer whole when it comes before request_timeout (SSE first event)', async () => {
    const { server: running, storage: store } = await start({ requestTimeoutMs: 2_000 })
    const held = holdList(store)
    const exchange = post(running, toolCall('memory_list'))
    await held.entered
    setTimeout(() => held.release(), 300)
    const answer = await within(3_000, exchange.response, 'the slow answer')
    expect(answer.status).toBe(200)
    expect(answer.headers['content-type']).toMatch(/^text\/event-stream/)
    expect(answer.headers['cache-control']).toBe('no-store')
    expect(answer.body).toContain('No memories yet.')
  })
})
