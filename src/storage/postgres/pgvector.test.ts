import { randomBytes } from 'node:crypto'
import { PGlite } from '@electric-sql/pglite'
import { vector } from '@electric-sql/pglite-pgvector'
import { PGLiteSocketServer } from '@electric-sql/pglite-socket'
import { sql } from 'kysely'
import pg from 'pg'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { newMemory } from '../../domain/index.js'
import { storageContract } from '../contract.js'
import { openPostgresParts, openPostgresStorage } from './open.js'
import type { PostgresStorageOptions } from './open.js'
import { RLS_ROLE } from './row-security.js'
import { expectRowSecurity, seedTwoUsers } from './test-support.js'

// PGlite (PostgreSQL in WebAssembly, with the pgvector extension) served over the PostgreSQL
// wire protocol, so the same pg driver code path as production runs against a real pgvector.
// PGlite has a single session: one storage works at a time (poolSize 1), and concurrent
// start-up under the advisory lock is tested against the real server in postgres.test.ts.
const db = await PGlite.create({ extensions: { vector } })
const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 16 })
await server.start()
afterAll(async () => {
  await server.stop()
  await db.close()
})

const url = `postgres://postgres@${server.getServerConn()}/postgres`
const schema = `mcp_pa_test_${randomBytes(6).toString('hex')}`
const open = (extra: Partial<PostgresStorageOptions> = {}) =>
  openPostgresStorage({ connectionString: url, poolSize: 1, schema, vectorSearch: true, ...extra })

/** Runs statements in order on a new connection and returns the rows of the last one. */
async function query<T extends pg.QueryResultRow>(...statements: string[]): Promise<T[]> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    let rows: T[] = []
    for (const text of [`SET search_path TO "${schema}", public`, ...statements]) {
      rows = (await client.query<T>(text)).rows
    }
    return rows
  } finally {
    await client.end()
  }
}

storageContract('postgresql with pgvector (PGlite)', () => open(), { persistent: true })

describe('pgvector', () => {
  it('turns vector search on without a warning', async () => {
    const warn = vi.fn()
    const storage = await open({ logger: { warn } })
    expect(storage.capabilities).toEqual({ dialect: 'postgresql', vectorSearch: true })
    await storage.close()
    expect(warn).not.toHaveBeenCalled()
  })

  it('creates one partial HNSW index per dimension, the first time it is seen, and uses it', async () => {
    const storage = await open()
    try {
      const user = await storage.users.ensure('https://pgvector.test', 'hnsw')
      for (const dims of [3, 3, 5]) {
        const embedding = { model: `m${dims}`, vector: new Float32Array(dims).fill(0.5) }
        await storage.memories.create(user.id, newMemory({ content: `d${dims}` }), embedding)
      }
    } finally {
      await storage.close()
    }
    const indexes = await query<{ indexname: string; indexdef: string }>(
      `SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = '${schema}' AND indexname LIKE 'memory_embeddings_hnsw_%' ORDER BY indexname`,
    )
    // The contract suite above has already stored 4-dimension vectors in this schema.
    expect(indexes.map((index) => index.indexname)).toEqual([
      'memory_embeddings_hnsw_3',
      'memory_embeddings_hnsw_4',
      'memory_embeddings_hnsw_5',
    ])
    expect(indexes[0]?.indexdef).toMatch(
      /USING hnsw \(\(\(embedding\)::vector\(3\)\) vector_cosine_ops\) WHERE \(dims = 3\)/,
    )
    const plan = await query<{ 'QUERY PLAN': string }>(
      'SET enable_seqscan = off',
      `EXPLAIN SELECT memory_id FROM memory_embeddings
       WHERE user_id = 'u' AND model = 'm3' AND dims = 3
       ORDER BY embedding::vector(3) <=> '[1,0,0]'::vector(3) LIMIT 5`,
    )
    expect(plan.map((row) => row['QUERY PLAN']).join('\n')).toMatch(/memory_embeddings_hnsw_3/)
    await query('RESET enable_seqscan')
  })

  it('keeps embeddings across reopen and deletes them with their memory', async () => {
    const first = await open()
    const user = await first.users.ensure('https://pgvector.test', 'cascade')
    const embedding = { model: 'cascade', vector: new Float32Array([0, 1, 0]) }
    const memory = await first.memories.create(
      user.id,
      newMemory({ content: 'north star' }),
      embedding,
    )
    await first.close()
    const second = await open()
    try {
      const hits = await second.memories.search(
        user.id,
        { text: 'zzz', tags: [], limit: 5 },
        embedding,
      )
      expect(hits.map((hit) => [hit.memory.id, hit.matchedBy])).toEqual([[memory.id, ['semantic']]])
      expect(await second.memories.delete(user.id, memory.id)).toBe(true)
    } finally {
      await second.close()
    }
    const left = await query(`SELECT 1 FROM memory_embeddings WHERE memory_id = '${memory.id}'`)
    expect(left).toEqual([])
  })

  it('holds embeddings to their user by row-level security too, and still uses the HNSW index', async () => {
    const parts = await openPostgresParts({
      connectionString: url,
      poolSize: 1,
      schema,
      vectorSearch: true,
    })
    try {
      expect(parts.rowSecurity).toEqual({ mode: 'set-role', role: RLS_ROLE })
      await expectRowSecurity(parts)
      const embedding = { model: 'rls', vector: new Float32Array([0, 0, 1]) }
      const { alice, bob } = await seedTwoUsers(parts, embedding)
      const seen = await parts.asUser(alice.id, async (db) => {
        // No user filter: the policy alone keeps Bob's vectors out, and the update cannot reach them.
        const rows = await sql<{ user_id: string }>`select user_id from memory_embeddings`.execute(
          db,
        )
        const changed = await sql`update memory_embeddings set model = 'overwritten'`.execute(db)
        await sql`set local enable_seqscan = off`.execute(db)
        const plan = await sql<{
          'QUERY PLAN': string
        }>`explain select memory_id from memory_embeddings
          where user_id = ${alice.id} and model = 'rls' and dims = 3
          order by embedding::vector(3) <=> '[0,0,1]'::vector(3) limit 5`.execute(db)
        return {
          users: [...new Set(rows.rows.map((row) => row.user_id))],
          changed: Number(changed.numAffectedRows),
          plan: plan.rows.map((row) => row['QUERY PLAN']).join('\n'),
        }
      })
      expect(seen.users).toEqual([alice.id])
      expect(seen.changed).toBe(alice.memories.length)
      expect(seen.plan).toMatch(/memory_embeddings_hnsw_3/)
      const bobHits = await parts.storage.memories.search(
        bob.id,
        { text: 'zzz', tags: [], limit: 10 },
        embedding,
      )
      expect(bobHits.map((hit) => hit.memory.id)).toEqual(bob.memories.map((memory) => memory.id))
    } finally {
      await parts.storage.close()
    }
    const forced = await query<{ relrowsecurity: boolean; relforcerowsecurity: boolean }>(
      `SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = '"${schema}".memory_embeddings'::regclass`,
    )
    expect(forced).toEqual([{ relrowsecurity: true, relforcerowsecurity: true }])
  })
})
