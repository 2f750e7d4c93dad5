import { serveStdio } from '@modelcontextprotocol/server/stdio'
import type { AuditSink, Logger } from '../audit/index.js'
import { LOCAL_USER_ID } from '../domain/index.js'
import type { Embedder } from '../search/index.js'
import type { Storage } from '../storage/ports.js'
import { createAssistantServer, type ToolContext } from '../tools/index.js'

/** What local mode serves from: the opened database and, with semantic search, an embedder. */
export interface LocalBackend {
  storage: Storage
  embedder?: Embedder | undefined
}

export interface StdioServerOptions {
  /**
   * The backend, opening in the background: `initialize` and `tools/list` are answered at once
   * and the first tool call waits for it (cold start does not pay for the database).
   */
  backend: Promise<LocalBackend>
  logger: Logger
  audit: AuditSink
  version: string
  /** Where end-of-input and signals come from (the process by default; tests pass their own). */
  process?: Pick<NodeJS.Process, 'once' | 'off' | 'stdin'>
}

export interface RunningStdioServer {
  /** Resolves with the reason once the server has stopped and the database is closed. */
  readonly stopped: Promise<string>
  stop(reason: string): Promise<string>
}

/**
 * Local mode: one user, no authorization, MCP over stdin/stdout. stdout carries JSON-RPC only
 * (logs go to stderr through the logger). Serves 2026-07-28 clients and, through the SDK's
 * legacy path, 2025-era clients. Stops cleanly on SIGINT, SIGTERM or end of stdin, closing the
 * database once.
 */
export function startStdioServer(options: StdioServerOptions): RunningStdioServer {
  const proc = options.process ?? process
  const context: Promise<ToolContext> = options.backend.then(({ storage, embedder }) => ({
    userId: LOCAL_USER_ID,
    scopes: 'all',
    memories: storage.memories,
    tasks: storage.tasks,
    audit: options.audit,
    clock: () => new Date(),
    embedder,
  }))
  context.catch(() => undefined) // the composition root reports an open failure
  const handle = serveStdio(
    () => createAssistantServer({ version: options.version, contextFor: () => context }),
    { onerror: (error) => options.logger.warn({ err: error.message }, 'stdio transport error') },
  )

  let resolveStopped: (reason: string) => void = () => undefined
  const stopped = new Promise<string>((resolve) => (resolveStopped = resolve))
  let stopping: Promise<string> | undefined
  const stop = (reason: string): Promise<string> => {
    stopping ??= (async () => {
      proc.off('SIGINT', onSigint)
      proc.off('SIGTERM', onSigterm)
      await handle.close().catch(() => undefined)
      const backend = await options.backend.catch(() => undefined)
      await backend?.storage.close()
      options.audit.emit({ type: 'server.stopped', reason })
      resolveStopped(reason)
      return reason
    })()
    return stopping
  }
  const onSigint = () => void stop('SIGINT')
  const onSigterm = () => void stop('SIGTERM')
  proc.once('SIGINT', onSigint)
  proc.once('SIGTERM', onSigterm)
  proc.stdin.once('end', () => void stop('stdin closed'))
  proc.stdin.once('close', () => void stop('stdin closed'))
  return { stopped, stop }
}
