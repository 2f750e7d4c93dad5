import { describe, expect, it } from 'vitest'
import { loadSqliteDriver } from './driver.js'
import { withStatementCache } from './statement-cache.js'

const BetterSqlite3 = await loadSqliteDriver()

function database() {
  const sqlite = new BetterSqlite3(':memory:')
  sqlite.exec('CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (1), (2), (3)')
  return sqlite
}

describe('withStatementCache', () => {
  it('hands out the same prepared statement for the same SQL text', () => {
    const cached = withStatementCache(database())
    const first = cached.prepare('SELECT n FROM t WHERE n > ?')
    expect(cached.prepare('SELECT n FROM t WHERE n > ?')).toBe(first)
    expect(cached.prepare('SELECT n FROM t WHERE n < ?')).not.toBe(first)
    expect(first.all([1])).toEqual([{ n: 2 }, { n: 3 }])
    cached.close()
  })

  it('gives a fresh statement while the cached one is still being iterated', () => {
    const cached = withStatementCache(database())
    const text = 'SELECT n FROM t ORDER BY n'
    const iterating = cached.prepare(text)
    const rows = iterating.iterate([])
    expect(rows.next().value).toEqual({ n: 1 })
    const other = cached.prepare(text)
    expect(other).not.toBe(iterating)
    // Both run: the fresh one in full while the first is still mid-way.
    expect(other.all([])).toHaveLength(3)
    expect([...rows]).toEqual([{ n: 2 }, { n: 3 }])
    // Once the iteration is over, the cached statement is handed out again.
    expect(cached.prepare(text)).toBe(iterating)
    cached.close()
  })

  it('keeps at most `size` statements, dropping the least recently used', () => {
    const cached = withStatementCache(database(), 2)
    const a = cached.prepare('SELECT 1')
    const b = cached.prepare('SELECT 2')
    expect(cached.prepare('SELECT 1')).toBe(a) // a is now the most recently used
    cached.prepare('SELECT 3') // evicts b
    expect(cached.prepare('SELECT 1')).toBe(a)
    expect(cached.prepare('SELECT 2')).not.toBe(b)
    cached.close()
  })

  it('re-prepares by itself when the schema changes under a cached statement', () => {
    const sqlite = database()
    const cached = withStatementCache(sqlite)
    const text = 'SELECT * FROM t ORDER BY n LIMIT 1'
    expect(cached.prepare(text).all([])).toEqual([{ n: 1 }])
    sqlite.exec("ALTER TABLE t ADD COLUMN label TEXT DEFAULT 'x'")
    expect(cached.prepare(text).all([])).toEqual([{ n: 1, label: 'x' }])
    cached.close()
  })
})
