import type { Config } from '../config/index.js'
import { resolveSecret } from '../config/index.js'
import type { Logger } from '../audit/index.js'
import type { Embedder } from '../search/index.js'
import type { Storage } from '../storage/ports.js'
import { CliError, EXIT } from './exit-codes.js'

type Env = Record<string, string | undefined>

/** A connection string given literally (no password) or as a secret reference. */
async function connectionString(value: string, env: Env): Promise<string> {
  if (/^postgres(ql)?:\/\//.test(value)) return value
  return (await resolveSecret(value, { env })).reveal()
}

/** Opens the configured database and applies pending migrations. */
export async function openStorage(config: Config, env: Env, logger: Logger): Promise<Storage> {
  const warn = { warn: (message: string) => logger.warn(message) }
  const vectorSearch = config.features.vector_search
  try {
    if (config.database.type === 'sqlite') {
      // Each driver loads only when used: SQLite users never load pg, and the reverse.
      const { openSqliteStorage } = await import('../storage/sqlite/index.js')
      return await openSqliteStorage({ path: config.database.path, vectorSearch, logger: warn })
    }
    const ref = config.database.connection_string
    if (ref === undefined) {
      throw new CliError(
        'database.connection_string is required for PostgreSQL: set MCP_DATABASE_URL',
        EXIT.config,
      )
    }
    const { openPostgresStorage } = await import('../storage/postgres/index.js')
    return await openPostgresStorage({
      connectionString: await connectionString(ref, env),
      poolSize: config.database.pool_size,
      vectorSearch,
      logger: warn,
    })
  } catch (error) {
    if (error instanceof CliError) throw error
    const reason = error instanceof Error ? error.message : String(error)
    throw new CliError(`cannot open the ${config.database.type} database: ${reason}`, EXIT.failure)
  }
}

/** The embedder for semantic search, when it is on and the storage can use it. */
export async function createEmbedder(
  config: Config,
  env: Env,
  storage: Storage,
): Promise<Embedder | undefined> {
  if (!config.features.vector_search || !storage.capabilities.vectorSearch) return undefined
  const options = config.embeddings
  const { createBuiltinEmbedder, createOpenAiEmbedder } = await import('../search/index.js')
  if (options.provider === 'builtin') return createBuiltinEmbedder({})
  if (options.url === undefined || options.api_key === undefined) {
    throw new CliError(
      'embeddings.url and embeddings.api_key are required for provider openai',
      EXIT.config,
    )
  }
  return createOpenAiEmbedder({
    url: options.url,
    model: options.model,
    apiKey: await resolveSecret(options.api_key, { env }),
    ...(options.dimensions === undefined ? {} : { dimensions: options.dimensions }),
  })
}
