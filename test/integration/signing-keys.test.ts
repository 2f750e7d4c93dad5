import { randomBytes } from 'node:crypto'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, describe, expect, it } from 'vitest'
import { decryptPrivateKey } from '../../src/auth/server/key-encryption.js'
import {
  ensureSigningKey,
  keyEncryptionKey,
  rotateSigningKey,
  signingKeySet,
} from '../../src/auth/server/keys.js'
import { loadSqliteDriver } from '../../src/storage/sqlite/driver.js'
import { openSqliteStorage } from '../../src/storage/sqlite/open.js'

// Signing keys on a real SQLite file: the rows hold no private key material in clear, and a
// restart with the same KEK serves the same keys.

const BetterSqlite3 = await loadSqliteDriver()
const dir = mkdtempSync(join(tmpdir(), 'mcp-pa-keys-'))
const path = join(dir, 'as.db')
afterAll(() => rmSync(dir, { recursive: true, force: true }))

function rawRows(): unknown[] {
  const db = new BetterSqlite3(path, { readonly: true })
  try {
    return db.prepare('SELECT * FROM oauth_signing_keys').all()
  } finally {
    db.close()
  }
}

describe('signing keys on SQLite', () => {
  it('stores private keys only encrypted, and survives a restart', async () => {
    const kek = keyEncryptionKey(randomBytes(32))
    let storage = await openSqliteStorage({ path })
    const first = await ensureSigningKey(storage.signingKeys, kek)
    await rotateSigningKey(storage.signingKeys, kek, { accessTokenTtlSeconds: 600 })
    const set = await signingKeySet(storage.signingKeys, kek)
    await storage.close()

    const dump = JSON.stringify(rawRows())
    expect(set.privateJwks.keys).toHaveLength(2)
    for (const jwk of set.privateJwks.keys) {
      expect(typeof jwk.d).toBe('string')
      expect(dump).not.toContain(jwk.d)
    }
    const { d } = decryptPrivateKey(kek, first.kid, first.encryptedPrivateKey) as { d: string }
    expect(dump).not.toContain(d)

    storage = await openSqliteStorage({ path })
    try {
      expect(await signingKeySet(storage.signingKeys, kek)).toEqual(set)
      await expect(
        signingKeySet(storage.signingKeys, keyEncryptionKey(randomBytes(32), 'auth.server.kek')),
      ).rejects.toThrow(/check auth\.server\.kek/)
    } finally {
      await storage.close()
    }
  })
})
