import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll } from 'vitest'
import { storageContract } from '../contract.js'
import { loadSqliteDriver } from './driver.js'
import { openSqliteStorage } from './open.js'

const BetterSqlite3 = await loadSqliteDriver()

const dir = mkdtempSync(join(tmpdir(), 'mcp-pa-sqlite-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

/** The artifact rows of the file at `path`, read on a connection of their own. */
const rawArtifactRows = (path: string) => async (): Promise<unknown[]> => {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return db.prepare('SELECT * FROM oauth_artifacts').all()
  } finally {
    db.close()
  }
}

storageContract('sqlite file', () => openSqliteStorage({ path: join(dir, 'data', 'pa.db') }), {
  persistent: true,
  rawArtifactRows: rawArtifactRows(join(dir, 'data', 'pa.db')),
})
storageContract(
  'sqlite file with vector search',
  () => openSqliteStorage({ path: join(dir, 'vectors.db'), vectorSearch: true }),
  { persistent: true },
)
storageContract('sqlite :memory:', () =>
  openSqliteStorage({ path: ':memory:', vectorSearch: true }),
)
