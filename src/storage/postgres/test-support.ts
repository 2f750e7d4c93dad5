import { randomBytes } from 'node:crypto'
import { sql } from 'kysely'
import pg from 'pg'
import { expect } from 'vitest'
import { newMemory, newTask } from '../../domain/index.js'
import type { Memory, Task } from '../../domain/index.js'
import type { StoredEmbedding } from '../ports.js'
import type { PostgresParts } from './open.js'

// Shared by the PostgreSQL test files: the test server, and the proof of row-level security.

export const testDatabaseUrl =
  process.env.MCP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'

/** Why the server cannot be reached, or undefined when it answers. */
export async function unreachable(url: string): Promise<string | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 3000 })
  try {
    await client.connect()
    await client.query('SELECT 1')
    return undefined
  } catch (error) {
    return error instanceof Error ? error.message : String(error)
  } finally {
    await client.end().catch(() => undefined)
  }
}

/** Runs `work` on a new connection of `url` (the test server's superuser by default). */
export async function admin<T>(
  work: (client: pg.Client) => Promise<T>,
  url: string = testDatabaseUrl,
): Promise<T> {
  const client = new pg.Client({ connectionString: url })
  await client.connect()
  try {
    return await work(client)
  } finally {
    await client.end()
  }
}

export const randomName = (prefix: string): string => `${prefix}_${randomBytes(6).toString('hex')}`

/** `url` with another user name (the test server trusts local connections: no password). */
export function asRole(url: string, role: string): string {
  const parsed = new URL(url)
  parsed.username = role
  parsed.password = ''
  return parsed.toString()
}

interface Owner {
  id: string
  memories: Memory[]
  tasks: Task[]
}

/** Two users with memories (and embeddings when given) and tasks of their own. */
export async function seedTwoUsers(
  parts: PostgresParts,
  embedding?: StoredEmbedding,
): Promise<{ alice: Owner; bob: Owner }> {
  const { storage } = parts
  const owner = async (name: string, memories: number, tasks: number): Promise<Owner> => {
    const { id } = await storage.users.ensure('https://rls.test', randomName(name))
    const seeded: Owner = { id, memories: [], tasks: [] }
    for (let i = 0; i < memories; i++) {
      const memory = newMemory({ content: `${name} secret diary ${i}`, tags: ['private'] })
      seeded.memories.push(await storage.memories.create(id, memory, embedding))
    }
    for (let i = 0; i < tasks; i++) {
      const task = newTask({ title: `${name} secret task ${i}`, tags: ['private'] })
      seeded.tasks.push(await storage.tasks.create(id, task))
    }
    return seeded
  }
  return { alice: await owner('alice', 2, 1), bob: await owner('bob', 1, 2) }
}

const affected = (result: { numAffectedRows?: bigint }): number => Number(result.numAffectedRows)

/**
 * The proof that row-level security, not the stores' filters, keeps users apart: queries that
 * FORGET the user filter, run in the adapter's per-user transaction as Alice, see and change
 * only Alice's rows, cannot write rows for Bob, and see nothing with no user or an empty one.
 */
export async function expectRowSecurity(parts: PostgresParts): Promise<void> {
  const { alice, bob } = await seedTwoUsers(parts)
  const { asUser, storage } = parts
  const userIds = (rows: Array<{ user_id: string }>) => [...new Set(rows.map((r) => r.user_id))]

  await asUser(alice.id, async (db) => {
    const memories = await sql<{ id: string; user_id: string }>`select * from memories`.execute(db)
    expect(memories.rows).toHaveLength(alice.memories.length)
    expect(userIds(memories.rows)).toEqual([alice.id])
    const tasks = await sql<{ user_id: string }>`select * from tasks`.execute(db)
    expect(userIds(tasks.rows)).toEqual([alice.id])
    // Even with Bob's ids in hand.
    const byId = await sql`select * from memories where id = ${bob.memories[0]?.id}`.execute(db)
    expect(byId.rows).toEqual([])
    const count = await sql<{ n: string }>`select count(*) as n from tasks`.execute(db)
    expect(Number(count.rows[0]?.n)).toBe(alice.tasks.length)
  })

  const updated = await asUser(alice.id, async (db) =>
    affected(await sql`update memories set content = 'overwritten'`.execute(db)),
  )
  expect(updated).toBe(alice.memories.length)
  const tasksUpdated = await asUser(alice.id, async (db) =>
    affected(await sql`update tasks set title = 'overwritten'`.execute(db)),
  )
  expect(tasksUpdated).toBe(alice.tasks.length)
  const deleted = await asUser(alice.id, async (db) =>
    affected(await sql`delete from tasks`.execute(db)),
  )
  expect(deleted).toBe(alice.tasks.length)
  const memoriesDeleted = await asUser(alice.id, async (db) =>
    affected(
      await sql`delete from memories where id = ${alice.memories[1]?.id} or id = ${bob.memories[0]?.id}`.execute(
        db,
      ),
    ),
  )
  expect(memoriesDeleted).toBe(1)

  // WITH CHECK: no row can be written for, or handed over to, another user.
  await expect(
    asUser(alice.id, (db) =>
      sql`insert into memories (id, user_id, content, tags, importance, created_at, updated_at)
          values (${randomName('m')}, ${bob.id}, 'planted', '{}', 3, now(), now())`.execute(db),
    ),
  ).rejects.toThrow(/row-level security/)
  await expect(
    asUser(alice.id, (db) => sql`update memories set user_id = ${bob.id}`.execute(db)),
  ).rejects.toThrow(/row-level security/)

  // Bob's rows are all there, untouched; Alice's own changes are hers.
  expect(await storage.memories.get(bob.id, bob.memories[0]?.id ?? '')).toEqual(bob.memories[0])
  expect((await storage.tasks.list(bob.id, {}, { limit: 10 })).items).toHaveLength(2)
  for (const task of bob.tasks) expect(await storage.tasks.get(bob.id, task.id)).toEqual(task)
  const aliceLeft = await storage.memories.list(alice.id, { limit: 10 })
  expect(aliceLeft.items.map((memory) => memory.content)).toEqual(['overwritten'])
  expect((await storage.tasks.list(alice.id, {}, { limit: 10 })).items).toEqual([])

  // Fail closed: an empty user sees nothing, and neither does a transaction that never set one.
  const emptyUser = await asUser('', async (db) => ({
    memories: (await sql`select * from memories`.execute(db)).rows,
    changed: affected(await sql`update tasks set title = 'x'`.execute(db)),
  }))
  expect(emptyUser).toEqual({ memories: [], changed: 0 })
}

/**
 * Without the per-user setting, the connecting user itself (owner or not) sees no row, once
 * policies apply to it: as the switched-to role, or as an ordinary owner thanks to FORCE.
 */
export async function expectNothingWithoutUser(
  url: string,
  schema: string,
  role: string | undefined,
): Promise<void> {
  const counts = await admin(async (client) => {
    await client.query(`SET search_path TO "${schema}", public`)
    await client.query('BEGIN')
    try {
      if (role !== undefined) await client.query(`SET LOCAL ROLE ${role}`)
      const memories = await client.query<{ n: string }>('SELECT count(*) AS n FROM memories')
      const tasks = await client.query<{ n: string }>('SELECT count(*) AS n FROM tasks')
      return [Number(memories.rows[0]?.n), Number(tasks.rows[0]?.n)]
    } finally {
      await client.query('ROLLBACK')
    }
  }, url)
  expect(counts).toEqual([0, 0])
}
