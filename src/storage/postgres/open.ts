import { Kysely, PostgresDialect } from 'kysely'
import pg from 'pg'
import type { Storage, StorageCapabilities } from '../ports.js'
import { assembleStorage } from '../kysely/index.js'
import type { Database } from '../kysely/index.js'
import { postgresDialect } from './dialect.js'
import { describeLocation } from './location.js'
import { ensureSchema, migratePostgres, withMigrationLock } from './migrate.js'
import { setupRowSecurity } from './row-security.js'
import type { RowSecurity } from './row-security.js'
import { setupVectors } from './vector-setup.js'
import type { VectorSetup } from './vector-setup.js'
import { postgresVectors } from './vectors.js'

export interface PostgresStorageOptions {
  /** `postgres://user:password@host:port/database?…`; the password never leaves this module. */
  connectionString: string
  /** Most connections this instance opens (pg Pool `max`). */
  poolSize: number
  /** Schema for all tables; tests use an isolated one. Default `public`. */
  schema?: string
  /** Semantic search with pgvector when the extension can be created. Default off. */
  vectorSearch?: boolean
  logger?: { warn(message: string): void }
}

const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/
const MAX_POOL_SIZE = 1000
const VECTOR_SEARCH_OFF = 'vector search is turned off (features.vector_search=false)'

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error)
}

function checkOptions(options: PostgresStorageOptions, schema: string): void {
  const { poolSize } = options
  if (!Number.isInteger(poolSize) || poolSize < 1 || poolSize > MAX_POOL_SIZE) {
    throw new Error(`database.pool_size must be a whole number from 1 to ${MAX_POOL_SIZE}`)
  }
  if (!SCHEMA_NAME.test(schema)) {
    throw new Error(
      'the PostgreSQL schema name must be 1-63 lower-case letters, digits or _, not starting with a digit',
    )
  }
}

interface Prepared {
  vectors: VectorSetup
  rowSecurity: RowSecurity
}

/**
 * Connects one dedicated client and, under the advisory lock: migrates, sets pgvector up, then
 * decides how per-user transactions are held to their user (row-security.ts).
 */
async function prepare(
  pool: pg.Pool,
  location: string,
  schema: string,
  options: PostgresStorageOptions,
): Promise<Prepared> {
  let client: pg.PoolClient
  try {
    client = await pool.connect()
  } catch (error) {
    throw new Error(`cannot connect to PostgreSQL at ${location}: ${message(error)}`, {
      cause: error,
    })
  }
  try {
    const setup = await withMigrationLock(client, async () => {
      if (schema !== 'public') await ensureSchema(client, schema)
      await migratePostgres(client)
      const vectors: VectorSetup =
        options.vectorSearch === true
          ? await setupVectors(client, options.logger)
          : { available: false, reason: VECTOR_SEARCH_OFF }
      return { vectors, rowSecurity: await setupRowSecurity(client, options.logger) }
    })
    client.release()
    return setup
  } catch (error) {
    client.release(true)
    throw error
  }
}

/**
 * Opens a PostgreSQL storage: a pg Pool of `poolSize` connections whose `search_path` is the
 * schema, migrations applied under a fixed advisory lock (so instances can start together),
 * pgvector set up when vector search is on and the extension is available, and every memory
 * and task operation run as its user under row-level security.
 */
export async function openPostgresStorage(options: PostgresStorageOptions): Promise<Storage> {
  return (await openPostgresParts(options)).storage
}

/** An opened storage with what its row-level-security tests reach past the ports for. */
export interface PostgresParts {
  storage: Storage
  rowSecurity: RowSecurity
  /** The stores' per-user scope (a transaction as `userId`), for queries of the tests' own. */
  asUser<T>(userId: string, work: (db: Kysely<Database>) => Promise<T>): Promise<T>
}

/** `openPostgresStorage`, keeping the parts; for tests (not exported by the package). */
export async function openPostgresParts(options: PostgresStorageOptions): Promise<PostgresParts> {
  const schema = options.schema ?? 'public'
  checkOptions(options, schema)
  const location = describeLocation(options.connectionString, schema)
  const pool = new pg.Pool({ connectionString: options.connectionString, max: options.poolSize })
  // Without a listener, an idle connection dropped by the server would crash the process.
  pool.on('error', (error) => {
    options.logger?.warn(`PostgreSQL connection at ${location} failed: ${error.message}`)
  })
  const searchPath = schema === 'public' ? '"public"' : `"${schema}", "public"`
  pool.on('connect', (client) => {
    // Queued before any other query of this new connection (pg runs a client's queries in order).
    client.query(`SET search_path TO ${searchPath}`).catch((error: unknown) => {
      options.logger?.warn(`cannot set search_path on ${location}: ${message(error)}`)
    })
  })
  let prepared: Prepared
  try {
    prepared = await prepare(pool, location, schema, options)
  } catch (error) {
    await pool.end().catch(() => undefined)
    throw error
  }
  const { vectors: setup, rowSecurity } = prepared
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) })
  const capabilities: StorageCapabilities = setup.available
    ? { dialect: 'postgresql', vectorSearch: true }
    : { dialect: 'postgresql', vectorSearch: false, vectorSearchUnavailableReason: setup.reason }
  const dialect = postgresDialect(
    setup.available ? postgresVectors(db, options.logger) : undefined,
    rowSecurity,
  )
  const storage = assembleStorage({
    db,
    dialect,
    capabilities,
    location,
    release: () => db.destroy(),
  })
  return { storage, rowSecurity, asUser: (userId, work) => dialect.withUser(db, userId, work) }
}
