import { sql } from 'kysely'
import { afterAll, describe, expect, it, vi } from 'vitest'
import { newMemory } from '../../domain/index.js'
import { describeLocation } from './location.js'
import { openPostgresParts } from './open.js'
import type { PostgresParts } from './open.js'
import { RLS_ROLE } from './row-security.js'
import {
  admin,
  asRole,
  expectNothingWithoutUser,
  expectRowSecurity,
  randomName,
  testDatabaseUrl as url,
  unreachable,
} from './test-support.js'

// Row-level security itself, on the real server: queries that forget the user filter, run in
// the adapter's per-user transaction, still see and change one user's rows only. Once as the
// server's superuser (the SET ROLE path), once as an ordinary role that owns its schema (FORCE),
// and once as a BYPASSRLS role that can do neither (the warning).

const where = describeLocation(url, 'public')
const down = await unreachable(url)
if (down !== undefined && process.env.CI) {
  throw new Error(
    `PostgreSQL at ${where} is unreachable (${down}); CI needs it: set MCP_TEST_DATABASE_URL`,
  )
}

const schemas: string[] = []
const roles: string[] = []
afterAll(async () => {
  if (down !== undefined) return
  await admin(async (client) => {
    for (const schema of schemas) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`)
    for (const role of roles) {
      await client.query(`DROP OWNED BY "${role}" CASCADE`).catch(() => undefined)
      await client.query(`DROP ROLE IF EXISTS "${role}"`)
    }
  })
})

/** A fresh schema, owned by a new LOGIN role with `attributes` when one is given. */
async function freshSchema(attributes?: string): Promise<{ schema: string; connect: string }> {
  const schema = randomName('mcp_pa_test')
  schemas.push(schema)
  if (attributes === undefined) return { schema, connect: url }
  const role = randomName('mcp_pa_test_owner')
  roles.push(role)
  await admin(async (client) => {
    await client.query(`CREATE ROLE "${role}" LOGIN ${attributes}`)
    await client.query(`CREATE SCHEMA "${schema}" AUTHORIZATION "${role}"`)
  })
  return { schema, connect: asRole(url, role) }
}

async function withParts(
  connect: string,
  schema: string,
  warn: (message: string) => void,
  work: (parts: PostgresParts) => Promise<void>,
): Promise<void> {
  const parts = await openPostgresParts({
    connectionString: connect,
    poolSize: 2,
    schema,
    logger: { warn },
  })
  try {
    await work(parts)
  } finally {
    await parts.storage.close()
  }
}

async function policies(schema: string) {
  return admin(async (client) => {
    const { rows } = await client.query<{ table: string; rls: boolean; forced: boolean }>(
      `SELECT c.relname AS table, c.relrowsecurity AS rls, c.relforcerowsecurity AS forced
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY c.relname`,
      [schema],
    )
    return rows
  })
}

if (down !== undefined) {
  describe('PostgreSQL row-level security', () => {
    it.skip(`skipped: PostgreSQL at ${where} is unreachable (${down}); set MCP_TEST_DATABASE_URL`, () => {})
  })
} else {
  describe('PostgreSQL row-level security', () => {
    it('is on, and forced, for every table with a user_id, and only for those', async () => {
      const { schema, connect } = await freshSchema()
      await withParts(connect, schema, vi.fn(), async () => {})
      expect(await policies(schema)).toEqual([
        { table: 'memories', rls: true, forced: true },
        { table: 'oauth_accounts', rls: false, forced: false },
        { table: 'oauth_artifacts', rls: false, forced: false },
        { table: 'oauth_signing_keys', rls: false, forced: false },
        { table: 'schema_migrations', rls: false, forced: false },
        { table: 'tasks', rls: true, forced: true },
        { table: 'users', rls: false, forced: false },
      ])
    })

    it('as a superuser: switches to the role per transaction and holds queries to the user', async () => {
      const { schema, connect } = await freshSchema()
      const warn = vi.fn()
      await withParts(connect, schema, warn, async (parts) => {
        expect(parts.rowSecurity).toEqual({ mode: 'set-role', role: RLS_ROLE })
        await expectRowSecurity(parts)
        const user = await parts.storage.users.ensure('https://rls.test', randomName('u'))
        // The role reads no table but the per-user ones: not `users`, and it changes no schema.
        await expect(
          parts.asUser(user.id, (db) => sql`select * from users`.execute(db)),
        ).rejects.toThrow(/permission denied/)
        // Nor the authorization server's artifacts, which are outside row-level security (ADR 0005).
        await expect(
          parts.asUser(user.id, (db) => sql`select * from oauth_artifacts`.execute(db)),
        ).rejects.toThrow(/permission denied/)
        await expect(
          parts.asUser(user.id, (db) => sql`select * from oauth_signing_keys`.execute(db)),
        ).rejects.toThrow(/permission denied/)
        await expect(
          parts.asUser(user.id, (db) => sql`select * from oauth_accounts`.execute(db)),
        ).rejects.toThrow(/permission denied/)
        await expect(
          parts.asUser(user.id, (db) =>
            sql`alter table memories no force row level security`.execute(db),
          ),
        ).rejects.toThrow(/must be owner/)
        // Outside the per-user transactions the connection is the superuser again.
        expect(await parts.storage.users.get(user.id)).toEqual(user)
      })
      await expectNothingWithoutUser(connect, schema, RLS_ROLE)
      expect(warn).not.toHaveBeenCalled()
    })

    it('as an ordinary role that owns the schema: FORCE holds the owner to the user', async () => {
      const { schema, connect } = await freshSchema('NOSUPERUSER NOBYPASSRLS NOCREATEROLE')
      const warn = vi.fn()
      await withParts(connect, schema, warn, async (parts) => {
        expect(parts.rowSecurity).toEqual({ mode: 'policies' })
        await expectRowSecurity(parts)
      })
      const owners = await admin(
        async (client) =>
          (
            await client.query<{ tableowner: string }>(
              `SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = $1`,
              [schema],
            )
          ).rows,
      )
      expect(owners).toEqual([{ tableowner: new URL(connect).username }])
      // The owner itself, outside the adapter's transactions, sees nothing (fail closed).
      await expectNothingWithoutUser(connect, schema, undefined)
      expect(warn).not.toHaveBeenCalled()
    })

    it('as a BYPASSRLS role that cannot switch role: warns once, and the filters still hold', async () => {
      const { schema, connect } = await freshSchema('NOSUPERUSER BYPASSRLS NOCREATEROLE')
      const warn = vi.fn()
      await withParts(connect, schema, warn, async (parts) => {
        expect(parts.rowSecurity).toMatchObject({ mode: 'bypassed' })
        const alice = await parts.storage.users.ensure('https://rls.test', randomName('a'))
        const bob = await parts.storage.users.ensure('https://rls.test', randomName('b'))
        const memory = await parts.storage.memories.create(alice.id, newMemory({ content: 'x' }))
        expect(await parts.storage.memories.get(bob.id, memory.id)).toBeUndefined()
        expect(await parts.storage.memories.delete(bob.id, memory.id)).toBe(false)
      })
      expect(warn).toHaveBeenCalledTimes(1)
      const [message] = warn.mock.calls[0] as [string]
      expect(message).toMatch(
        /^row-level security is NOT enforced: the PostgreSQL user "mcp_pa_test_owner_[0-9a-f]+" is a superuser or has BYPASSRLS/,
      )
      expect(message).toContain(`GRANT ${RLS_ROLE} TO`)
    })
  })
}
