import { createLogger, loggerAuditSink, type Logger } from '../audit/index.js'
import { ConfigError, isLoopbackHost, type Config } from '../config/index.js'
import type { Storage } from '../storage/ports.js'
import { resourceUri, startHttpServer, type HttpAuthOptions } from '../transport/http/index.js'
import { createEmbedder, openStorage } from './compose.js'
import { createMetrics, externalAuth, rateLimiting, tlsMaterial } from './compose-http.js'
import { loadKek } from './kek.js'
import { CliError, EXIT } from './exit-codes.js'
import type { CliEnv } from './load.js'
import { VERSION } from './version.js'

/** `mcp-pa serve --http`: the Streamable HTTP server. Human-readable lines go to stderr. */
export async function serveHttp(config: Config, warnings: string[], env: CliEnv): Promise<number> {
  const auth = config.authentication
  const builtin = auth.enabled && auth.provider === 'builtin'
  const logger = createLogger({ level: config.logging.level })
  for (const warning of warnings) logger.warn(warning)
  const audit = loggerAuditSink(logger)
  const { host, port } = config.server

  const storage = await openStorage(config, env.vars, logger)
  const closers: (() => Promise<void>)[] = []
  try {
    const embedder = await createEmbedder(config, env.vars, storage)
    const tls = await tlsMaterial(config, env.vars, env.home, logger)
    const limits = await rateLimiting(config, env.vars, logger)
    closers.push(() => limits.close())
    const publicUrl =
      config.server.public_url === undefined ? undefined : new URL(config.server.public_url)
    // The same computation startHttpServer makes after listening (the port is never 0 here).
    const resource = resourceUri({
      publicUrl,
      host,
      port,
      tls: tls !== undefined,
      mcpPath: config.server.mcp_path,
    })
    const kek = builtin ? await loadKek(config, env.vars, env.home, logger) : undefined
    let authOptions: HttpAuthOptions | undefined =
      auth.enabled && !builtin ? await externalAuth(config, env.vars, resource) : undefined
    let setupUrl: string | undefined
    const server = await startHttpServer({
      version: VERSION,
      host,
      port,
      loopback: isLoopbackHost(host),
      mcpPath: config.server.mcp_path,
      publicUrl,
      tls,
      trustProxy: config.server.trust_proxy,
      allowedHosts: config.server.allowed_hosts,
      allowedOrigins: config.server.allowed_origins,
      limits: {
        maxBodyBytes: config.server.max_body_bytes,
        maxBatch: config.server.max_batch,
        requestTimeoutMs: config.server.request_timeout * 1000,
      },
      maxHeaderBytes: config.server.max_header_bytes,
      shutdownTimeoutMs: config.server.shutdown_timeout * 1000,
      auth: authOptions,
      ...(kek === undefined
        ? {}
        : {
            prepareAuth: async (listened: URL) => {
              // Loaded only here: the engine is not needed (nor its runtime notice printed)
              // with an external identity provider or without authentication.
              const { builtinAuth } = await import('./compose-builtin.js')
              const composed = await builtinAuth(config, kek, storage, listened, audit, env.vars)
              closers.push(async () => composed.server.close())
              authOptions = composed.auth
              setupUrl = composed.setupUrl
              return { auth: composed.auth, builtin: composed.builtin }
            },
          }),
      storage,
      embedder,
      audit,
      logger,
      rateLimits: limits,
      metrics: createMetrics(),
      closers,
    })
    audit.emit({
      type: 'server.started',
      mode: 'http',
      storage: storage.location,
      url: server.resource.href,
    })
    banner(config, server.resource, server.url, storage, limits.backend, authOptions)
    if (setupUrl !== undefined) {
      // Printed once to the operator's console, never logged (ADR 0007).
      console.error(
        `\nNo account exists yet. Create the first one within 24 hours at:\n  ${setupUrl}\n(or run: mcp-pa users add <name>)\n`,
      )
    }
    // SIGHUP reloads the certificate with TLS; without it, it must not kill the server (Node's default).
    const onHangup = () => logger.info('SIGHUP: nothing to reload (no TLS certificate configured)')
    if (tls === undefined) process.on('SIGHUP', onHangup)
    const reason = await stopSignal()
    process.off('SIGHUP', onHangup)
    console.error(`mcp-pa: ${reason}, finishing in-flight requests…`)
    const { drained, cut } = await server.stop()
    await storage.close()
    audit.emit({ type: 'server.stopped', reason })
    console.error(
      drained
        ? 'mcp-pa stopped; database closed.'
        : `mcp-pa stopped after ${config.server.shutdown_timeout} s with ${cut} request(s) cut; database closed.`,
    )
    return EXIT.ok
  } catch (error) {
    for (const close of closers) await close().catch(() => undefined)
    await storage.close().catch(() => undefined)
    throw mapStartError(error, host, port, logger)
  }
}

function stopSignal(): Promise<string> {
  return new Promise((resolve) => {
    const done = (signal: string) => () => {
      process.off('SIGINT', onInt)
      process.off('SIGTERM', onTerm)
      resolve(signal)
    }
    const onInt = done('SIGINT')
    const onTerm = done('SIGTERM')
    process.once('SIGINT', onInt)
    process.once('SIGTERM', onTerm)
  })
}

function mapStartError(error: unknown, host: string, port: number, logger: Logger): unknown {
  const code = (error as { code?: unknown } | null)?.code
  if (code === 'EADDRINUSE') {
    return new CliError(
      `port ${port} on ${host} is already in use: stop the other server or choose another port (--port, MCP_PORT)`,
      EXIT.failure,
    )
  }
  if (code === 'EACCES') {
    return new CliError(
      `not allowed to listen on ${host}:${port}: use a port above 1023 or run with the needed privilege`,
      EXIT.failure,
    )
  }
  if (code === 'EADDRNOTAVAIL') {
    return new CliError(
      `${host} is not an address of this machine (server.host, --host)`,
      EXIT.config,
    )
  }
  // TlsConfigError is a ConfigError: run.ts maps it to exit 3 with its message.
  if (!(error instanceof CliError) && !(error instanceof ConfigError))
    logger.debug({ err: String(error) }, 'start failed')
  return error
}

function banner(
  config: Config,
  resource: URL,
  listening: URL,
  storage: Storage,
  rateBackend: string,
  auth: HttpAuthOptions | undefined,
): void {
  const metadata = new URL(
    `/.well-known/oauth-protected-resource${resource.pathname === '/' ? '' : resource.pathname}`,
    resource,
  )
  console.error(
    [
      `mcp-pa ${VERSION}: http mode, MCP over Streamable HTTP.`,
      `  listening: ${listening.href}${config.server.trust_proxy ? ' (behind a TLS-terminating proxy)' : ''}`,
      `  endpoint:  ${resource.href}`,
      auth === undefined
        ? '  auth:      OFF (loopback only) — any local program can use this server'
        : config.authentication.provider === 'builtin'
          ? `  auth:      OAuth 2.1, built-in authorization server ${auth.authorizationServers.join(', ')}`
          : `  auth:      OAuth 2.1 bearer tokens from ${auth.authorizationServers.join(', ')} (${config.authentication.token_verification})`,
      ...(auth === undefined ? [] : [`  metadata:  ${metadata.href}`]),
      `  database:  ${storage.location}`,
      auth === undefined
        ? '  limits:    no rate limits (they count per token; authentication is off)'
        : `  limits:    ${config.rate_limit.mcp_per_minute}/min per token, ${config.rate_limit.ip_per_minute}/min per IP (${rateBackend})`,
      '  health:    /healthz, /readyz, /metrics',
      '  Ctrl-C or SIGTERM stops the server after in-flight requests finish.',
    ].join('\n'),
  )
}
