import { randomBytes } from 'node:crypto'
import { inspect } from 'node:util'
import { SignJWT, createLocalJWKSet, importJWK, jwtVerify } from 'jose'
import { describe, expect, it } from 'vitest'
import { Secret } from '../../config/index.js'
import type { SigningKeyStore, StoredSigningKey } from '../../storage/ports.js'
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js'
import {
  KeyEncryptionError,
  ensureSigningKey,
  keyEncryptionKey,
  retireExpiredKeys,
  rotateSigningKey,
  signingKeySet,
} from './keys.js'

// Signing-key logic over an in-memory store with the port's rules (one active key). The
// Kysely store is proven by the storage contract; the raw rows in the integration test.

function memoryStore(): SigningKeyStore & { rows: Map<string, StoredSigningKey> } {
  const rows = new Map<string, StoredSigningKey>()
  const hasActive = () => [...rows.values()].some((k) => k.state === 'active')
  const order = { active: 0, retiring: 1, retired: 2 }
  return {
    rows,
    async insert(key) {
      if (rows.has(key.kid) || (key.state === 'active' && hasActive())) return false
      rows.set(key.kid, structuredClone(key))
      return true
    },
    async list() {
      return [...rows.values()]
        .map((k) => structuredClone(k))
        .sort((a, b) => order[a.state] - order[b.state] || b.activatedAt - a.activatedAt)
    },
    async get(kid) {
      const key = rows.get(kid)
      return key === undefined ? undefined : structuredClone(key)
    },
    async setState(kid, state, at) {
      const key = rows.get(kid)
      if (key === undefined) return false
      if (state === 'retiring' && key.state === 'active') {
        Object.assign(key, { state, retireAfter: at })
        return true
      }
      if (state === 'retired' && key.state !== 'retired') {
        Object.assign(key, { state, retiredAt: at })
        return true
      }
      return false
    },
    async rotate(key, previousKid, retireAfter) {
      const previous = rows.get(previousKid)
      if (previous?.state !== 'active' || rows.has(key.kid)) return false
      Object.assign(previous, { state: 'retiring', retireAfter })
      rows.set(key.kid, structuredClone(key))
      return true
    },
  }
}

const kek = () => keyEncryptionKey(new Secret(randomBytes(32).toString('base64')))

describe('keyEncryptionKey', () => {
  it('takes 32 bytes as base64, base64url, hex or a Buffer, and refuses anything else', () => {
    const bytes = randomBytes(32)
    for (const value of [
      new Secret(bytes.toString('base64')),
      new Secret(bytes.toString('base64url')),
      new Secret(`${bytes.toString('hex')}\n`),
      bytes,
    ]) {
      const sealed = encryptPrivateKey(keyEncryptionKey(value), 'k', { d: 'x' })
      expect(decryptPrivateKey(keyEncryptionKey(bytes), 'k', sealed)).toEqual({ d: 'x' })
    }
    const short = randomBytes(16).toString('base64')
    expect(() => keyEncryptionKey(new Secret(short), 'auth.kek')).toThrow(KeyEncryptionError)
    expect(() => keyEncryptionKey(new Secret(short), 'auth.kek')).toThrow(/auth\.kek must be 32/)
    try {
      keyEncryptionKey(new Secret(short))
    } catch (error) {
      expect(String(error)).not.toContain(short)
    }
  })

  it('never shows its bytes', () => {
    const bytes = randomBytes(32)
    const key = keyEncryptionKey(bytes, 'auth.kek')
    for (const shown of [String(key), JSON.stringify(key), inspect(key), `${key}`]) {
      expect(shown).not.toContain(bytes.toString('base64'))
      expect(shown).not.toContain(bytes.toString('hex'))
      expect(shown).toContain('redacted')
    }
  })
})

describe('private key encryption', () => {
  it('uses a random IV and binds the ciphertext to the kid', () => {
    const key = kek()
    const a = encryptPrivateKey(key, 'kid-1', { d: 'secret-d' })
    const b = encryptPrivateKey(key, 'kid-1', { d: 'secret-d' })
    expect(a).not.toBe(b)
    expect(a).not.toContain('secret-d')
    expect(a).toMatch(/^v1\./)
    expect(decryptPrivateKey(key, 'kid-1', a)).toEqual({ d: 'secret-d' })
    expect(() => decryptPrivateKey(key, 'kid-2', a)).toThrow(KeyEncryptionError)
  })

  it('a wrong KEK names the config key to check, and no key material', () => {
    const sealed = encryptPrivateKey(kek(), 'kid-1', { d: 'secret-d' })
    const other = keyEncryptionKey(randomBytes(32), 'auth.server.kek')
    expect(() => decryptPrivateKey(other, 'kid-1', sealed)).toThrow(
      /cannot decrypt signing key kid-1.*check auth\.server\.kek/,
    )
    expect(() => decryptPrivateKey(other, 'kid-1', 'garbage')).toThrow(/unknown format/)
    const tampered = sealed.slice(0, -4) + (sealed.endsWith('AAAA') ? 'BBBB' : 'AAAA')
    expect(() => decryptPrivateKey(other, 'kid-1', tampered)).toThrow(KeyEncryptionError)
  })
})

describe('ensureSigningKey', () => {
  it('generates an ES256 key once, sealed, and returns it again after', async () => {
    const store = memoryStore()
    const key = kek()
    const first = await ensureSigningKey(store, key)
    expect(first).toMatchObject({ alg: 'ES256', state: 'active' })
    expect(first.publicJwk).not.toHaveProperty('d')
    expect(await ensureSigningKey(store, key)).toEqual(first)
    expect(store.rows.size).toBe(1)
    const { d } = decryptPrivateKey(key, first.kid, first.encryptedPrivateKey) as { d: string }
    expect(d.length).toBeGreaterThan(20)
    expect(JSON.stringify([...store.rows.values()])).not.toContain(d)
  })

  it('generates EdDSA when asked', async () => {
    const key = await ensureSigningKey(memoryStore(), kek(), { alg: 'EdDSA' })
    expect(key).toMatchObject({ alg: 'EdDSA', publicJwk: { kty: 'OKP', crv: 'Ed25519' } })
  })

  it('of concurrent first starts, all settle on one key', async () => {
    const store = memoryStore()
    const key = kek()
    const keys = await Promise.all(Array.from({ length: 5 }, () => ensureSigningKey(store, key)))
    expect(new Set(keys.map((k) => k.kid)).size).toBe(1)
    expect(store.rows.size).toBe(1)
  })

  it('fails at start with a clear error when the KEK changed', async () => {
    const store = memoryStore()
    await ensureSigningKey(store, kek())
    await expect(
      ensureSigningKey(store, keyEncryptionKey(randomBytes(32), 'auth.server.kek')),
    ).rejects.toThrow(/check auth\.server\.kek/)
  })
})

describe('signingKeySet, rotateSigningKey and retireExpiredKeys', () => {
  it('rotates, keeps the old key verifying until its tokens expire, then drops it', async () => {
    const store = memoryStore()
    const key = kek()
    let now = 1_000_000
    const first = await ensureSigningKey(store, key, { now: () => now })
    const before = await signingKeySet(store, key)
    expect(before.activeKid).toBe(first.kid)
    expect(before.publicJwks.keys).toEqual([
      { ...first.publicJwk, kid: first.kid, alg: 'ES256', use: 'sig' },
    ])
    const oldToken = await new SignJWT({ sub: 'a' })
      .setProtectedHeader({ alg: 'ES256', kid: first.kid })
      .sign(await importJWK(before.privateJwks.keys[0]!))

    now += 1000
    const rotated = await rotateSigningKey(store, key, {
      now: () => now,
      accessTokenTtlSeconds: 3600,
    })
    expect(rotated.retiring).toMatchObject({ kid: first.kid, retireAfter: now + 3_600_000 })
    expect(rotated.active.kid).not.toBe(first.kid)
    const after = await signingKeySet(store, key)
    expect(after.activeKid).toBe(rotated.active.kid)
    expect(after.privateJwks.keys.map((k) => k.kid)).toEqual([rotated.active.kid, first.kid])
    expect(after.publicJwks.keys.every((k) => !('d' in k))).toBe(true)
    // The old token still verifies against the published set.
    await expect(jwtVerify(oldToken, createLocalJWKSet(after.publicJwks))).resolves.toBeDefined()

    expect(await retireExpiredKeys(store, now + 3_599_999)).toEqual([])
    expect(await retireExpiredKeys(store, now + 3_600_000)).toEqual([first.kid])
    const final = await signingKeySet(store, key)
    expect(final.publicJwks.keys.map((k) => k.kid)).toEqual([rotated.active.kid])
    await expect(jwtVerify(oldToken, createLocalJWKSet(final.publicJwks))).rejects.toThrow()
  })

  it('rotation without a key creates one; concurrent rotations leave one active key', async () => {
    const store = memoryStore()
    const key = kek()
    const made = await rotateSigningKey(store, key, { accessTokenTtlSeconds: 60, alg: 'EdDSA' })
    expect(made.retiring).toBeUndefined()
    expect(made.active.alg).toBe('EdDSA')
    await Promise.all(
      Array.from({ length: 3 }, () => rotateSigningKey(store, key, { accessTokenTtlSeconds: 60 })),
    )
    const states = [...store.rows.values()].map((k) => k.state)
    expect(states.filter((s) => s === 'active')).toHaveLength(1)
    expect(states.filter((s) => s === 'retiring')).toHaveLength(3)
  })

  it('refuses a negative lifetime and a set with no active key', async () => {
    await expect(
      rotateSigningKey(memoryStore(), kek(), { accessTokenTtlSeconds: -1 }),
    ).rejects.toThrow(RangeError)
    await expect(signingKeySet(memoryStore(), kek())).rejects.toThrow(/ensureSigningKey/)
  })
})
