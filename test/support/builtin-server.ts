import { randomBytes } from 'node:crypto'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { createLogger, memoryAuditSink, type AuditEvent } from '../../src/audit/index.js'
import { hashPassword } from '../../src/auth/server/passwords.js'
import { keyEncryptionKey } from '../../src/auth/server/index.js'
import type { Lookup } from '../../src/auth/server/index.js'
import { builtinAuth } from '../../src/cli/compose-builtin.js'
import { tlsMaterial } from '../../src/cli/compose-http.js'
import { configSchema, type ConfigInput } from '../../src/config/index.js'
import type { Storage } from '../../src/storage/ports.js'
import { openSqliteStorage } from '../../src/storage/sqlite/index.js'
import { openPostgresStorage } from '../../src/storage/postgres/index.js'
import { admin, randomName, testDatabaseUrl } from '../../src/storage/postgres/test-support.js'
import { startHttpServer, type RunningHttpServer } from '../../src/transport/http/index.js'
import { createRateLimiters, rateLimitHeaders } from '../../src/transport/http/rate-limit.js'
import type { RateLimiting } from '../../src/transport/http/options.js'

/**
 * The real HTTP server with the built-in authorization server, in process, on 127.0.0.1 with a
 * random port: the same composition as `mcp-pa serve --http` (builtinAuth), on a temporary SQLite
 * file or an isolated PostgreSQL schema. Keys, passwords and the KEK are generated per run.
 */
export interface BuiltinServerOptions {
  database?: 'sqlite' | 'postgres'
  /** Share the database (and KEK) of another instance: two instances on one PostgreSQL. */
  shareWith?: BuiltinServer
  /**
   * Configuration overrides (`authentication.authorization_server.*`, rate limits, …). With
   * `server.tls_cert` and `server.tls_key`, the listener speaks HTTPS as `serve --http` would
   * (compose-http's `tlsMaterial`, client CA included).
   */
  config?: ConfigInput
  /** Test seam: answers client ID metadata document fetches (no network). */
  fetch?: typeof fetch
  lookup?: Lookup
  /** Rate limits (default: none, so tests are not throttled). */
  rateLimits?: boolean
  /**
   * A path for the issuer (`/tenant`): `authentication.issuer` becomes this instance's origin
   * with it (the port is only known once listening), as `serve --http` composes it.
   */
  issuerPath?: string
}

export interface BuiltinServer {
  /** Where this instance listens. */
  origin: string
  /**
   * The issuer: this instance's origin (with `issuerPath`, if given), or the first one's for a
   * `shareWith` instance.
   */
  issuer: string
  /** The MCP endpoint's canonical URI (the token audience), likewise. */
  resource: string
  server: RunningHttpServer
  storage: Storage
  events: AuditEvent[]
  /** The one-time setup link `serve --http` would print (when the database had no account). */
  setupUrl: string | undefined
  /** Where the database is, for a second instance. */
  shared: { schema?: string; file?: string; kek: Buffer }
  /** Creates an account and returns its id (the password policy applies). */
  addAccount(username: string, password: string): Promise<string>
  /** Runs the periodic upkeep now (sweep, reap, key retirement). */
  upkeep(): Promise<void>
  stop(): Promise<void>
}

/** A password that passes the policy, new for each call. */
export const newPassword = (): string => `pw-${randomBytes(12).toString('base64url')}`

export async function startBuiltinServer(
  options: BuiltinServerOptions = {},
): Promise<BuiltinServer> {
  const database =
    options.shareWith?.shared.schema !== undefined ? 'postgres' : (options.database ?? 'sqlite')
  const kekBytes = options.shareWith?.shared.kek ?? randomBytes(32)
  let dir: string | undefined
  let storage: Storage
  let schema: string | undefined
  let file: string | undefined
  const ownsSchema = options.shareWith === undefined
  if (database === 'postgres') {
    schema = options.shareWith?.shared.schema ?? randomName('as')
    storage = await openPostgresStorage({ connectionString: testDatabaseUrl, poolSize: 10, schema })
  } else {
    if (options.shareWith?.shared.file !== undefined) {
      file = options.shareWith.shared.file
    } else {
      dir = await mkdtemp(join(tmpdir(), 'mcp-pa-as-'))
      file = join(dir, 'database.sqlite')
    }
    storage = await openSqliteStorage({ path: file })
  }
  const config = configSchema.parse({
    mode: 'http',
    ...options.config,
    database: database === 'postgres' ? { type: 'postgresql' } : { type: 'sqlite', path: file },
  })
  const audit = memoryAuditSink()
  const logger = createLogger({ level: (process.env.MCP_TEST_LOG as 'silent') ?? 'silent' })
  const kek = keyEncryptionKey(kekBytes, 'test KEK')
  let rateLimits: RateLimiting | undefined
  let closeLimits: (() => Promise<void>) | undefined
  if (options.rateLimits === true) {
    const limiters = createRateLimiters({
      mcp: { points: config.rate_limit.mcp_per_minute, durationSeconds: 60 },
      unauthenticated: { points: config.rate_limit.ip_per_minute, durationSeconds: 60 },
      oauth: { points: config.rate_limit.oauth_per_minute, durationSeconds: 60 },
      registration: {
        points: config.authentication.authorization_server.registrations_per_ip_per_hour,
        durationSeconds: 3600,
      },
    })
    closeLimits = () => limiters.close()
    rateLimits = {
      consumeMcp: (f) => limiters.consumeMcp(f),
      consumeIp: (ip) => limiters.consumeIp(ip),
      consumeOauth: (ip) => limiters.consumeOauth(ip),
      consumeRegistration: (ip) => limiters.consumeRegistration(ip),
      headers: (decision) => rateLimitHeaders(decision),
    }
  }
  const tls = await tlsMaterial(config, {}, tmpdir(), logger)
  let upkeep: () => Promise<void> = async () => undefined
  let setupUrl: string | undefined
  let closeAs: () => void = () => undefined
  const start = () =>
    startHttpServer({
      version: 'test',
      host: '127.0.0.1',
      port: 0,
      loopback: true,
      mcpPath: '/mcp',
      tls,
      // Instances sharing a database are one deployment behind one public URL (a load balancer):
      // the second serves the first's issuer and resource on its own listener.
      publicUrl: options.shareWith === undefined ? undefined : new URL(options.shareWith.origin),
      trustProxy: false,
      allowedHosts: [],
      allowedOrigins: [],
      limits: { maxBodyBytes: 1_000_000, maxBatch: 20, requestTimeoutMs: 30_000 },
      maxHeaderBytes: 16_384,
      shutdownTimeoutMs: 2000,
      auth: undefined,
      storage,
      audit,
      logger,
      rateLimits,
      prepareAuth: async (resource) => {
        const issuerPath = options.issuerPath
        const composed = await builtinAuth(
          issuerPath === undefined
            ? config
            : {
                ...config,
                authentication: {
                  ...config.authentication,
                  issuer: new URL(issuerPath, resource.origin).href,
                },
              },
          kek,
          storage,
          resource,
          audit,
          {},
          {
            ...(options.fetch === undefined ? {} : { fetch: options.fetch }),
            ...(options.lookup === undefined ? {} : { lookup: options.lookup }),
          },
        )
        upkeep = () => composed.server.upkeep()
        setupUrl = composed.setupUrl
        closeAs = () => composed.server.close()
        return { auth: composed.auth, builtin: composed.builtin }
      },
    })
  let server: RunningHttpServer
  try {
    server = await start()
  } catch (error) {
    // A composition that refuses to start (a configuration error): leave nothing behind.
    await closeLimits?.()
    await storage.close()
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    throw error
  }
  const origin = server.url.origin
  return {
    origin,
    issuer:
      options.issuerPath === undefined
        ? server.resource.origin
        : new URL(options.issuerPath, server.resource.origin).href.replace(/\/+$/, ''),
    resource: server.resource.href,
    server,
    storage,
    events: audit.events,
    setupUrl,
    shared: {
      ...(schema === undefined ? {} : { schema }),
      ...(file === undefined ? {} : { file }),
      kek: kekBytes,
    },
    async addAccount(username, password) {
      const account = await storage.accounts.create({
        username,
        passwordHash: await hashPassword(password, username),
      })
      return account.id
    },
    upkeep: () => upkeep(),
    async stop() {
      await server.stop()
      closeAs()
      await closeLimits?.()
      await storage.close()
      if (schema !== undefined && ownsSchema) {
        await admin((client) => client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`))
      }
      if (dir !== undefined) await rm(dir, { recursive: true, force: true })
    },
  }
}
