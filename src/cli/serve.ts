import { createLogger, loggerAuditSink, type Logger } from '../audit/index.js'
import type { Config } from '../config/index.js'
import { startStdioServer, type LocalBackend } from '../transport/index.js'
import { parseFlags } from './args.js'
import { createEmbedder, openStorage } from './compose.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import { loadEffectiveConfig, type CliEnv } from './load.js'
import { VERSION } from './version.js'

/** `mcp-pa serve`: the local stdio server. Human-readable lines go to stderr, never stdout. */
export async function serve(argv: string[], env: CliEnv): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    config: { type: 'string', short: 'c' },
    http: { type: 'boolean' },
    host: { type: 'string' },
    port: { type: 'string', short: 'p' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    console.log(HELP.serve)
    return EXIT.ok
  }
  // The flags act as the matching MCP_* variables, so they are validated the same way.
  const vars = { ...env.vars }
  // --host and --port only mean something for the HTTP server: they imply --http.
  if (values.http || values.host !== undefined || values.port !== undefined) vars.MCP_MODE = 'http'
  if (values.host !== undefined) vars.MCP_HOST = values.host
  if (values.port !== undefined) vars.MCP_PORT = values.port
  const { config, warnings } = await loadEffectiveConfig(values.config, { ...env, vars })
  if (config.mode === 'http') {
    const { serveHttp } = await import('./serve-http.js')
    return serveHttp(config, warnings, { ...env, vars })
  }
  const logger = createLogger({ level: config.logging.level })
  for (const warning of warnings) logger.warn(warning)
  const audit = loggerAuditSink(logger)
  // Open the database in the background: the server answers initialize and tools/list at once.
  const backend = openBackend(config, env.vars, logger)
  const running = startStdioServer({ backend, logger, audit, version: VERSION })
  let opened: LocalBackend
  try {
    opened = await backend
  } catch (error) {
    await running.stop('storage failed to open')
    throw error
  }
  audit.emit({ type: 'server.started', mode: 'local', storage: opened.storage.location })
  console.error(
    [
      `mcp-pa ${VERSION}: local mode, MCP over stdio (stdout is the protocol channel).`,
      `  database: ${opened.storage.location}`,
      `  search:   full text${opened.embedder === undefined ? '' : ` + semantic (${opened.embedder.model})`}`,
      '  Connect a client: point it at the command "npx mcp-pa serve" (README: "Connect a client").',
      '  Waiting for a client on stdin; Ctrl-C or closing stdin stops the server.',
    ].join('\n'),
  )
  const reason = await running.stopped
  process.stdin.destroy()
  console.error(`mcp-pa stopped (${reason}); database closed.`)
  return EXIT.ok
}

async function openBackend(
  config: Config,
  vars: CliEnv['vars'],
  logger: Logger,
): Promise<LocalBackend> {
  const storage = await openStorage(config, vars, logger)
  try {
    return { storage, embedder: await createEmbedder(config, vars, storage) }
  } catch (error) {
    await storage.close()
    throw error
  }
}
