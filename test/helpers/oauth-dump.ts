import { loadSqliteDriver } from '../../src/storage/sqlite/driver.js'

const BetterSqlite3 = await loadSqliteDriver()

/**
 * Every row of the authorization server's tables in a SQLite file, as one JSON text: what a
 * test searches to prove a secret (a password, a client secret, a private key) is not stored.
 */
export function rawOauthDump(path: string): string {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return JSON.stringify([
      db.prepare('SELECT * FROM oauth_accounts').all(),
      db.prepare('SELECT * FROM oauth_artifacts').all(),
      db.prepare('SELECT * FROM oauth_signing_keys').all(),
    ])
  } finally {
    db.close()
  }
}
