import { createLogger, loggerAuditSink } from '../audit/index.js'
import { startStdioServer } from '../transport/index.js'
import { parseFlags } from './args.js'
import { createEmbedder, openStorage } from './compose.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import { loadEffectiveConfig, type CliEnv } from './load.js'
import { VERSION } from './version.js'

/** `mcp-pa serve`: the local stdio server. Human-readable lines go to stderr, never stdout. */
export async function serve(argv: string[], env: CliEnv): Promise<number> {
  const { values } = parseFlags('serve', argv, {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    console.log(HELP.serve)
    return EXIT.ok
  }
  const { config, warnings } = await loadEffectiveConfig(values.config, env)
  if (config.mode !== 'local') {
    throw new CliError(
      'mode "http" is not available in this version yet: run local mode (unset MCP_MODE or set "mode": "local")',
      EXIT.config,
    )
  }
  const logger = createLogger({ level: config.logging.level })
  for (const warning of warnings) logger.warn(warning)
  const storage = await openStorage(config, env.vars, logger)
  const embedder = await createEmbedder(config, env.vars, storage)
  const running = startStdioServer({
    storage,
    logger,
    audit: loggerAuditSink(logger),
    version: VERSION,
    embedder,
  })
  console.error(
    [
      `mcp-pa ${VERSION}: local mode, MCP over stdio (stdout is the protocol channel).`,
      `  database: ${storage.location}`,
      `  search:   full text${embedder === undefined ? '' : ` + semantic (${embedder.model})`}`,
      '  Connect a client: point it at the command "npx mcp-pa serve" (README: "Connect a client").',
      '  Waiting for a client on stdin; Ctrl-C or closing stdin stops the server.',
    ].join('\n'),
  )
  const reason = await running.stopped
  process.stdin.destroy()
  console.error(`mcp-pa stopped (${reason}); database closed.`)
  return EXIT.ok
}
