import { randomBytes } from 'node:crypto'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { call, spawnClient, tempHome, type Era } from '../helpers/spawn-client.js'
import { assistantSuite } from './assistant-suite.js'

const ADMIN_URL = process.env.MCP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

async function reachable(): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    return true
  } catch {
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}

const available = await reachable()
if (!available && process.env.CI) {
  throw new Error(`PostgreSQL is not reachable at ${ADMIN_URL}; CI must start it (see .ci/run)`)
}

async function admin(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: ADMIN_URL })
  await client.connect()
  try {
    await client.query(statement)
  } finally {
    await client.end()
  }
}

// Skipped only on a developer machine without PostgreSQL; under CI an unreachable server fails
// the file above, so these suites always run there.
describe.skipIf(!available)(
  'stdio + PostgreSQL (skipped when PostgreSQL is not reachable locally)',
  () => {
    // One fresh database per suite (dropped afterwards): the suites assert on whole lists.
    const suites = ['modern', 'legacy', 'shared'] as const
    const databases = new Map(
      suites.map((s) => [s, `mcp_pa_e2e_${randomBytes(6).toString('hex')}`]),
    )
    let home: string
    let cleanup: () => Promise<void>
    const env = (suite: (typeof suites)[number]) => {
      const url = new URL(ADMIN_URL)
      url.pathname = `/${databases.get(suite) ?? ''}`
      return { MCP_DATABASE_TYPE: 'postgresql', MCP_DATABASE_URL: url.href }
    }

    beforeAll(async () => {
      ;({ home, cleanup } = await tempHome())
      for (const database of databases.values()) await admin(`CREATE DATABASE ${database}`)
    })
    afterAll(async () => {
      await cleanup()
      for (const database of databases.values())
        await admin(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`)
    })

    for (const era of ['modern', 'legacy'] as Era[]) {
      assistantSuite(`${era} protocol`, () => spawnClient({ home, era, env: env(era) }))
    }

    it('two local servers start together on a fresh database and share it', async () => {
      const [a, b] = await Promise.all([
        spawnClient({ home, env: env('shared') }),
        spawnClient({ home, env: env('shared') }),
      ])
      const saved = await call(a.client, 'memory_save', { content: 'shared by two local servers' })
      const got = await call(b.client, 'memory_get', { id: saved.structuredContent?.memory.id })
      expect(got.structuredContent?.memory.content).toBe('shared by two local servers')
      expect(a.stderr()).not.toMatch(/password/i)
      await Promise.all([a.close(), b.close()])
    })
  },
)
