import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { loadSqliteDriver } from './driver.js'
import { Kysely, SqliteDialect } from 'kysely'
import { afterAll, describe, expect, it } from 'vitest'
import { newMemory } from '../../domain/index.js'
import { latestVersion } from '../kysely/index.js'
import type { Database } from '../kysely/index.js'
import { migrateSqlite } from './migrate.js'
import { SQLITE_MIGRATIONS } from './migrations.js'
import { openSqliteStorage } from './open.js'
import { ftsMatchExpression, planPhrases, RANKED_BUDGET } from './fts.js'
import { sqliteDialect } from './dialect.js'

const BetterSqlite3 = await loadSqliteDriver()

const root = mkdtempSync(join(tmpdir(), 'mcp-pa-sqlite-open-'))
afterAll(() => rmSync(root, { recursive: true, force: true }))

const mode = (path: string) => statSync(path).mode & 0o777
let counter = 0
const fresh = () => join(root, `case-${++counter}`)

describe('openSqliteStorage: files and permissions', () => {
  it('creates missing directories 0700 and the database, WAL and SHM files 0600', async () => {
    const base = fresh()
    const path = join(base, 'nested', 'dir', 'pa.db')
    const previous = process.umask(0o000)
    try {
      const storage = await openSqliteStorage({ path })
      await storage.memories.create(
        '00000000-0000-4000-8000-000000000001',
        newMemory({ content: 'x' }),
      )
      for (const dir of [base, join(base, 'nested'), join(base, 'nested', 'dir')]) {
        expect(mode(dir)).toBe(0o700)
      }
      expect(mode(path)).toBe(0o600)
      expect(mode(`${path}-wal`)).toBe(0o600)
      expect(mode(`${path}-shm`)).toBe(0o600)
      expect(storage.location).toBe(path)
      expect(storage.capabilities).toEqual({
        dialect: 'sqlite',
        vectorSearch: false,
        vectorSearchUnavailableReason: 'vector search is turned off (features.vector_search=false)',
      })
      await storage.close()
    } finally {
      process.umask(previous)
    }
  })

  it('leaves an existing directory alone but tightens an existing loose file', async () => {
    const dir = fresh()
    mkdirSync(dir, { mode: 0o755 })
    chmodSync(dir, 0o755)
    const path = join(dir, 'pa.db')
    new BetterSqlite3(path).close()
    chmodSync(path, 0o644)
    const storage = await openSqliteStorage({ path })
    expect(mode(dir)).toBe(0o755)
    expect(mode(path)).toBe(0o600)
    await storage.close()
  })

  it('turns on WAL, foreign keys, busy timeout and synchronous=NORMAL', async () => {
    const path = join(fresh(), 'pa.db')
    const storage = await openSqliteStorage({ path })
    await storage.close()
    const db = new BetterSqlite3(path)
    expect(db.pragma('journal_mode', { simple: true })).toBe('wal')
    db.close()
  })

  it('opens :memory: without touching the file system', async () => {
    const storage = await openSqliteStorage({ path: ':memory:' })
    expect(storage.location).toBe(':memory:')
    await storage.ping()
    await storage.close()
  })

  it('refuses an empty path and explains an unopenable one', async () => {
    await expect(openSqliteStorage({ path: ' ' })).rejects.toThrow(
      'the SQLite database path is empty: set database.path',
    )
    const dir = fresh()
    mkdirSync(dir)
    await expect(openSqliteStorage({ path: dir })).rejects.toThrow(
      `cannot open SQLite database ${dir}:`,
    )
  })
})

describe('openSqliteStorage: migrations', () => {
  it('applies each migration once, also when opened again', async () => {
    const path = join(fresh(), 'pa.db')
    await (await openSqliteStorage({ path })).close()
    await (await openSqliteStorage({ path })).close()
    const db = new BetterSqlite3(path)
    const rows = db.prepare('SELECT version, name FROM schema_migrations ORDER BY version').all()
    expect(rows).toEqual(SQLITE_MIGRATIONS.map(({ version, name }) => ({ version, name })))
    migrateSqlite(db)
    expect(db.prepare('SELECT count(*) FROM schema_migrations').pluck().get()).toBe(
      SQLITE_MIGRATIONS.length,
    )
    db.close()
  })

  it('refuses a database migrated by a newer mcp-pa', async () => {
    const path = join(fresh(), 'pa.db')
    await (await openSqliteStorage({ path })).close()
    const db = new BetterSqlite3(path)
    db.prepare('INSERT INTO schema_migrations VALUES (?, ?, ?)').run(999, 'future', 'x')
    db.close()
    await expect(openSqliteStorage({ path })).rejects.toThrow(
      'database was migrated by a newer mcp-pa (version 999); upgrade mcp-pa',
    )
  })

  it('moves OAuth artifacts into the rowid table without losing or changing one (version 5)', () => {
    const db = new BetterSqlite3(':memory:')
    const before = SQLITE_MIGRATIONS.filter((migration) => migration.version < 5)
    migrateSqlite(db, before)
    const insert = db.prepare('INSERT INTO oauth_artifacts VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
    insert.run('Grant', 'g-hash', null, null, 'grant-1', '{"accountId":"a"}', 1_000, null)
    insert.run('RefreshToken', 'r-hash', null, null, 'grant-1', '{"iat":1}', null, 5)
    insert.run('Interaction', 'i-hash', 'uid-hash', null, null, '{}', 2_000, null)
    const rows = () => db.prepare('SELECT * FROM oauth_artifacts ORDER BY model').all()
    const copied = rows()
    migrateSqlite(db)
    expect(rows()).toEqual(copied)
    const table = db
      .prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'oauth_artifacts'")
      .pluck()
      .get() as string
    expect(table).not.toMatch(/WITHOUT ROWID/i)
    const indexes = db
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'index' AND tbl_name = 'oauth_artifacts' AND sql IS NOT NULL ORDER BY name",
      )
      .pluck()
      .all()
    expect(indexes).toEqual([
      'oauth_artifacts_expiry',
      'oauth_artifacts_grant',
      'oauth_artifacts_uid',
      'oauth_artifacts_user_code',
    ])
    // The key and the payload check still hold.
    expect(() => insert.run('Grant', 'g-hash', null, null, null, '{}', null, null)).toThrow(
      /UNIQUE/,
    )
    expect(() => insert.run('Grant', 'other', null, null, null, '[1]', null, null)).toThrow(/CHECK/)
    db.close()
  })

  it('rolls a failing migration back entirely', () => {
    const db = new BetterSqlite3(':memory:')
    const broken = [
      ...SQLITE_MIGRATIONS,
      {
        version: latestVersion(SQLITE_MIGRATIONS) + 1,
        name: 'broken',
        sql: 'CREATE TABLE half (x); SELECT * FROM missing_table;',
      },
    ]
    expect(() => migrateSqlite(db, broken)).toThrow(/missing_table/)
    expect(db.prepare("SELECT count(*) FROM sqlite_master WHERE name = 'half'").pluck().get()).toBe(
      0,
    )
    expect(db.prepare('SELECT max(version) FROM schema_migrations').pluck().get()).toBe(
      latestVersion(SQLITE_MIGRATIONS),
    )
    db.close()
  })
})

describe('FTS5 match expression', () => {
  it('quotes every term, ORs them and prefixes the last one when it is long enough', () => {
    expect(ftsMatchExpression(['postgres', 'vacuum'])).toBe('"postgres" OR "vacuum"*')
    expect(ftsMatchExpression(['a', 'the'])).toBe('"a" OR "the"')
    expect(ftsMatchExpression(['日本語'])).toBe('"日本語"')
    expect(ftsMatchExpression(['東京タワー'])).toBe('"東京タワー"*')
  })

  it('ranks the rarest phrases within the budget and drops the common rest', () => {
    const counted = [
      { phrase: '"common"', rows: 5001 },
      { phrase: '"rare"', rows: 10 },
      { phrase: '"middle"', rows: 3000 },
    ]
    expect(planPhrases(counted, 5000)).toEqual({
      ranked: ['"rare"', '"middle"'],
      dropped: ['"common"'],
    })
    expect(planPhrases(counted, 100)).toEqual({
      ranked: ['"rare"'],
      dropped: ['"middle"', '"common"'],
    })
    expect(planPhrases([{ phrase: '"x"', rows: 101 }], 100)).toEqual({
      ranked: [],
      dropped: ['"x"'],
    })
  })

  it('runs every search query from the FTS index or the primary key, never a table scan', async () => {
    const sqlite = new BetterSqlite3(':memory:')
    migrateSqlite(sqlite)
    sqlite.exec(`INSERT INTO users VALUES ('u', 'i', 's', 'x');
      INSERT INTO memories (id, user_id, content, tags, importance, created_at, updated_at)
      VALUES ('m', 'u', 'postgres vacuum', '["a"]', 3, 'x', 'x')`)
    const queries: Array<{ sql: string; parameters: readonly unknown[] }> = []
    const db = new Kysely<Database>({
      dialect: new SqliteDialect({ database: sqlite }),
      log: (event) => {
        queries.push(event.query)
      },
    })
    const query = { userId: 'u', terms: ['postgres', 'vacuum'], tags: ['a'], limit: 10 }
    const hits = await sqliteDialect(undefined).fullText(db, query)
    expect(hits.map((hit) => hit.row.id)).toEqual(['m'])
    expect(queries.length).toBeGreaterThanOrEqual(3)
    for (const captured of queries) {
      const plan = sqlite
        .prepare(`EXPLAIN QUERY PLAN ${captured.sql}`)
        .all(...captured.parameters) as Array<{ detail: string }>
      const details = plan.map((row) => row.detail).join('\n')
      expect(details).toMatch(/VIRTUAL TABLE INDEX|USING INTEGER PRIMARY KEY/)
      expect(details).not.toMatch(/SCAN memories(?!_fts)/)
    }
    await db.destroy()
  })
})

describe('full-text search over more rows than the ranking budget', () => {
  it('ranks the rare word, tops up with the newest matches of common words, and stays fast', async () => {
    const storage = await openSqliteStorage({ path: ':memory:' })
    const user = '00000000-0000-4000-8000-000000000001'
    const rows = RANKED_BUDGET + 500
    const create = (content: string) => storage.memories.create(user, newMemory({ content }))
    for (let i = 0; i < rows; i++) await create(`common filler entry number ${i}`)
    const rare = await create('the rare zeppelin sighting, common too')
    const newest = await create('common newest entry')

    const mixed = await storage.memories.search(user, {
      text: 'common zeppelin',
      tags: [],
      limit: 5,
    })
    expect(mixed[0]?.memory.id).toBe(rare.id)
    expect(mixed).toHaveLength(5)
    expect(mixed.map((hit) => hit.memory.id)).toContain(newest.id)
    const scores = mixed.map((hit) => hit.score)
    expect(scores).toEqual([...scores].sort((a, b) => b - a))

    const started = performance.now()
    const commonOnly = await storage.memories.search(user, { text: 'common', tags: [], limit: 10 })
    expect(performance.now() - started).toBeLessThan(200)
    expect(commonOnly).toHaveLength(10)
    expect(commonOnly.map((hit) => hit.memory.id)).toContain(newest.id)
    await storage.close()
  })
})
