import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { storageContract } from '../contract.js'
import { openSqliteStorage } from './open.js'

const dir = mkdtempSync(join(tmpdir(), 'mcp-pa-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

storageContract('sqlite file', () => openSqliteStorage({ path: join(dir, 'data', 'pa.db') }), {
  persistent: true,
})
storageContract(
  'sqlite file with vector search',
  () => openSqliteStorage({ path: join(dir, 'vectors.db'), vectorSearch: true }),
  { persistent: true },
)
storageContract('sqlite :memory:', () =>
  openSqliteStorage({ path: ':memory:', vectorSearch: true }),
)
