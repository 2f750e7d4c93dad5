import { randomBytes } from 'node:crypto'
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest'
import { storageContract } from '../contract.js'
import { describeLocation } from './location.js'
import { POSTGRES_MIGRATIONS } from './migrations.js'
import { openPostgresStorage } from './open.js'
import type { PostgresStorageOptions } from './open.js'
import { admin, testDatabaseUrl as url, unreachable as probe } from './test-support.js'
import { PGVECTOR_MISSING } from './vector-setup.js'

const where = describeLocation(url, 'public')
const unreachable = await probe(url)
if (unreachable !== undefined && process.env.CI) {
  throw new Error(
    `PostgreSQL at ${where} is unreachable (${unreachable}); CI needs it: set MCP_TEST_DATABASE_URL`,
  )
}

const schemas: string[] = []
const newSchema = () => {
  const name = `mcp_pa_test_${randomBytes(6).toString('hex')}`
  schemas.push(name)
  return name
}
const schema = newSchema()
const open = (extra: Partial<PostgresStorageOptions> = {}) =>
  openPostgresStorage({ connectionString: url, poolSize: 4, schema, ...extra })

if (unreachable !== undefined) {
  // Only outside CI (above, CI throws instead): a developer without PostgreSQL still sees
  // in the report that these suites did not run, and why.
  describe('PostgreSQL storage', () => {
    it.skip(`skipped: PostgreSQL at ${where} is unreachable (${unreachable}); set MCP_TEST_DATABASE_URL`, () => {})
  })
} else {
  beforeAll(() => admin((client) => client.query(`CREATE SCHEMA "${schema}"`)))
  afterAll(() =>
    admin(async (client) => {
      for (const name of schemas) await client.query(`DROP SCHEMA IF EXISTS "${name}" CASCADE`)
    }),
  )

  storageContract('postgresql', () => open(), {
    persistent: true,
    rawArtifactRows: () =>
      admin(
        async (client) => (await client.query(`SELECT * FROM "${schema}".oauth_artifacts`)).rows,
      ),
  })
  storageContract('postgresql, vector search asked for without pgvector', () =>
    open({ vectorSearch: true }),
  )

  describe('PostgreSQL storage', () => {
    it('applies migrations once when several instances start together on a fresh schema', async () => {
      const fresh = newSchema()
      const storages = await Promise.all(
        Array.from({ length: 4 }, () => open({ schema: fresh, poolSize: 2 })),
      )
      await Promise.all(storages.map((storage) => storage.ping()))
      await Promise.all(storages.map((storage) => storage.close()))
      const rows = await admin(
        async (client) =>
          (
            await client.query(
              `SELECT version, name FROM "${fresh}".schema_migrations ORDER BY version`,
            )
          ).rows,
      )
      expect(rows).toEqual(POSTGRES_MIGRATIONS.map(({ version, name }) => ({ version, name })))
      const again = await open({ schema: fresh })
      await again.close()
    })

    it('refuses a database migrated by a newer mcp-pa', async () => {
      const fresh = newSchema()
      await (await open({ schema: fresh })).close()
      await admin((client) =>
        client.query(
          `INSERT INTO "${fresh}".schema_migrations (version, name) VALUES (42, 'future')`,
        ),
      )
      await expect(open({ schema: fresh })).rejects.toThrow(
        'database was migrated by a newer mcp-pa (version 42); upgrade mcp-pa',
      )
    })

    it('without pgvector: vector search off, one warning, full-text search still works', async () => {
      const warn = vi.fn()
      const storage = await open({ vectorSearch: true, logger: { warn } })
      try {
        expect(storage.capabilities).toEqual({
          dialect: 'postgresql',
          vectorSearch: false,
          vectorSearchUnavailableReason: PGVECTOR_MISSING,
        })
        expect(warn.mock.calls).toEqual([[PGVECTOR_MISSING]])
        const user = await storage.users.ensure('https://pg.test', `nv-${Date.now()}`)
        const embedding = { model: 'm', vector: new Float32Array([1, 0]) }
        await storage.memories.create(
          user.id,
          { content: 'lighthouse keeper', tags: [], importance: 3 },
          embedding,
        )
        const hits = await storage.memories.search(
          user.id,
          { text: 'lighthouse', tags: [], limit: 5 },
          embedding,
        )
        expect(hits.map((hit) => hit.matchedBy)).toEqual([['fulltext']])
      } finally {
        await storage.close()
      }
      expect(warn).toHaveBeenCalledTimes(1)
    })

    it('never shows the password, in the location or in a connection error', async () => {
      const withPassword = url.replace('postgres://postgres@', 'postgres://postgres:Sup3r-s3cret@')
      const storage = await open({ connectionString: withPassword })
      expect(storage.location).not.toContain('Sup3r-s3cret')
      expect(storage.location).toMatch(
        /^postgresql:\/\/postgres@.+ \(schema mcp_pa_test_[0-9a-f]+\)$/,
      )
      await storage.close()
      const failure = open({ connectionString: 'postgres://u:Sup3r-s3cret@127.0.0.1:1/db' })
      await expect(failure).rejects.toThrow(
        /^cannot connect to PostgreSQL at postgresql:\/\/u@127\.0\.0\.1:1\/db/,
      )
      await expect(failure).rejects.not.toThrow(/Sup3r-s3cret/)
    })

    it('refuses a bad pool size or schema name with the fix', async () => {
      await expect(open({ poolSize: 0 })).rejects.toThrow(
        'database.pool_size must be a whole number from 1 to 1000',
      )
      await expect(open({ schema: 'x"; drop' })).rejects.toThrow(/schema name must be/)
    })
  })
}
