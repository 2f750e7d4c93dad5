import {
  chmod,
  chown,
  mkdir,
  mkdtemp,
  readdir,
  readFile,
  rename,
  rm,
  stat,
  symlink,
  writeFile,
} from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import {
  errorOf,
  freshCredentials,
  freshRegistration,
  ISSUER_A,
  ISSUER_B,
  RESOURCE_1,
  secretsOf,
  tokenStoreContract,
} from './contract-test-support.js'
import { createFileBackend } from './file-store.js'
import { tokenId } from './records.js'

let base: string
let dir: string
beforeEach(async () => {
  base = await mkdtemp(join(tmpdir(), 'mcp-pa-file-store-'))
  dir = join(base, 'config', 'mcp-pa', 'credentials')
})
afterEach(() => rm(base, { recursive: true, force: true }))

const posix = process.platform !== 'win32'
const a1 = { issuer: ISSUER_A, resource: RESOURCE_1 }
const mode = async (path: string) => (await stat(path)).mode & 0o777
const fileOf = (key: typeof a1) => join(dir, `${tokenId(key)}.cred`)

tokenStoreContract('encrypted file', async () => createFileBackend({ dir }))

describe.runIf(posix)('file backend: permissions (TOK-7)', () => {
  it('creates the directory 0700 and every file 0600', async () => {
    const store = createFileBackend({ dir })
    await store.put(a1, freshCredentials())
    await store.putClient(freshRegistration(ISSUER_A))
    expect(await mode(dir)).toBe(0o700)
    const names = await readdir(dir)
    expect(names).toContain('key')
    expect(names.filter((n) => n.endsWith('.cred'))).toHaveLength(2)
    for (const name of names) expect(await mode(join(dir, name)), name).toBe(0o600)
  })

  it.each([
    ['the directory', '755', () => dir, 'chmod 700'],
    ['the directory', '710', () => dir, 'chmod 700'],
    ['a credential file', '644', () => fileOf(a1), 'chmod 600'],
    ['a credential file', '602', () => fileOf(a1), 'chmod 600'],
    ['the key file', '640', () => join(dir, 'key'), 'chmod 600'],
  ])('refuses %s when it is mode %s and says how to fix it', async (_, loose, path, fix) => {
    await createFileBackend({ dir }).put(a1, freshCredentials())
    await chmod(path(), Number.parseInt(loose, 8))
    const error = await errorOf(createFileBackend({ dir }).get(a1))
    expect(error.code).toBe('insecure_permissions')
    expect(error.message).toBe(
      `${path()} is accessible by other users (mode ${loose}); refusing to use it. ` +
        `Fix: ${fix} ${path()}`,
    )
  })

  it.runIf(process.getuid?.() === 0)('refuses a file owned by another user', async () => {
    const store = createFileBackend({ dir })
    await store.put(a1, freshCredentials())
    await chown(fileOf(a1), 4242, 4242)
    const error = await errorOf(store.get(a1))
    expect(error.code).toBe('insecure_permissions')
    expect(error.message).toContain('belongs to another user (uid 4242)')
  })

  it('accepts a tighter mode than 0600 (0400)', async () => {
    const store = createFileBackend({ dir })
    const credentials = freshCredentials()
    await store.put(a1, credentials)
    await chmod(fileOf(a1), 0o400)
    expect(await createFileBackend({ dir }).get(a1)).toEqual(credentials)
  })

  it('refuses a credential file that is a symbolic link', async () => {
    const store = createFileBackend({ dir })
    await store.put(a1, freshCredentials())
    const elsewhere = join(base, 'elsewhere.cred')
    await rename(fileOf(a1), elsewhere)
    await symlink(elsewhere, fileOf(a1))
    expect((await errorOf(store.get(a1))).message).toContain('symbolic link')
  })
})

describe('file backend: encryption at rest (TOK-7, RT-2)', () => {
  it('no file in the directory contains a token, a client secret or the account in clear', async () => {
    const store = createFileBackend({ dir })
    const credentials = freshCredentials({ account: 'alice-plaintext-check' })
    const registration = freshRegistration(ISSUER_A)
    await store.put(a1, credentials)
    await store.putClient(registration)
    const everything = (
      await Promise.all((await readdir(dir)).map((n) => readFile(join(dir, n))))
    ).map((b) => b.toString('latin1'))
    for (const secret of [...secretsOf(credentials, registration), 'alice-plaintext-check']) {
      for (const text of everything) expect(text).not.toContain(secret)
    }
    // The file names do not name the server either.
    expect((await readdir(dir)).join(' ')).not.toMatch(/example/)
  })

  it('uses a fresh 96-bit IV for every write', async () => {
    const store = createFileBackend({ dir })
    const credentials = freshCredentials()
    const ivs = new Set<string>()
    for (let i = 0; i < 5; i++) {
      await store.put(a1, credentials)
      const envelope = JSON.parse(await readFile(fileOf(a1), 'utf8')) as { iv: string; alg: string }
      expect(envelope.alg).toBe('A256GCM')
      expect(Buffer.from(envelope.iv, 'base64url')).toHaveLength(12)
      ivs.add(envelope.iv)
    }
    expect(ivs.size).toBe(5)
  })

  it('creates the 32-byte key once and reuses it across instances', async () => {
    const first = createFileBackend({ dir })
    const credentials = freshCredentials()
    await first.put(a1, credentials)
    const key = await readFile(join(dir, 'key'))
    expect(key).toHaveLength(32)
    expect(await createFileBackend({ dir }).get(a1)).toEqual(credentials)
    expect(await readFile(join(dir, 'key'))).toEqual(key)
  })

  it('two instances starting together on an empty directory agree on one key', async () => {
    const stores = Array.from({ length: 8 }, () => createFileBackend({ dir }))
    const written = stores.map(() => freshCredentials())
    await Promise.all(
      stores.map((s, i) =>
        s.put({ issuer: ISSUER_A, resource: `${RESOURCE_1}/${i}` }, written[i]!),
      ),
    )
    for (const [i, s] of stores.entries()) {
      expect(await s.get({ issuer: ISSUER_A, resource: `${RESOURCE_1}/${i}` })).toEqual(written[i])
    }
  })
})

describe('file backend: tampering and misplaced files', () => {
  it('a flipped ciphertext byte fails the GCM tag with a clear error naming no secret', async () => {
    const store = createFileBackend({ dir })
    const credentials = freshCredentials()
    await store.put(a1, credentials)
    const envelope = JSON.parse(await readFile(fileOf(a1), 'utf8')) as { ct: string }
    const ct = Buffer.from(envelope.ct, 'base64url')
    ct[3] = (ct[3] ?? 0) ^ 0x01
    await writeFile(fileOf(a1), JSON.stringify({ ...envelope, ct: ct.toString('base64url') }), {
      mode: 0o600,
    })
    const error = await errorOf(store.get(a1))
    expect(error.code).toBe('integrity')
    expect(error.message).toBe(
      `${fileOf(a1)} failed its integrity check: it was modified, moved from another entry, or ` +
        'encrypted with a different key. Remove it and log in again',
    )
    for (const secret of secretsOf(credentials)) expect(error.message).not.toContain(secret)
  })

  it('TOK-6: a file copied into another (issuer, resource) slot fails authentication', async () => {
    const store = createFileBackend({ dir })
    await store.put(a1, freshCredentials())
    const b1 = { issuer: ISSUER_B, resource: RESOURCE_1 }
    await writeFile(fileOf(b1), await readFile(fileOf(a1)), { mode: 0o600 })
    expect((await errorOf(store.get(b1))).code).toBe('integrity')
    expect((await errorOf(store.list())).code).toBe('integrity')
  })

  it('a different key file cannot decrypt (integrity), a short key file is refused', async () => {
    await createFileBackend({ dir }).put(a1, freshCredentials())
    const otherKey = join(base, 'other.key')
    expect((await errorOf(createFileBackend({ dir, keyFile: otherKey }).get(a1))).code).toBe(
      'integrity',
    )
    await writeFile(otherKey, Buffer.alloc(16), { mode: 0o600 })
    const error = await errorOf(createFileBackend({ dir, keyFile: otherKey }).get(a1))
    expect(error.code).toBe('corrupt')
    expect(error.message).toContain('is not a 32-byte key')
  })

  it('garbage in a credential file is reported as corrupt', async () => {
    const store = createFileBackend({ dir })
    await store.put(a1, freshCredentials())
    await writeFile(fileOf(a1), 'not json', { mode: 0o600 })
    const error = await errorOf(store.get(a1))
    expect(error.code).toBe('corrupt')
    expect(error.message).toBe(
      `${fileOf(a1)} is not an mcp-pa encrypted credential file. Remove it and log in again`,
    )
  })

  it('list() ignores temp files and foreign names', async () => {
    const store = createFileBackend({ dir })
    await store.put(a1, freshCredentials())
    await mkdir(join(dir, 'locks'), { recursive: true, mode: 0o700 })
    await writeFile(join(dir, `${tokenId(a1)}.cred.abc.tmp`), 'partial', { mode: 0o600 })
    await writeFile(join(dir, 'notes.txt'), 'hello', { mode: 0o600 })
    expect((await store.list()).map((s) => s.resource)).toEqual([RESOURCE_1])
  })
})
