import { readdir } from 'node:fs/promises'
import { join } from 'node:path'
import { TokenStoreError } from './errors.js'
import { loadOrCreateKey, seal, unseal } from './file-crypto.js'
import {
  bySummaryKey,
  checkIssuer,
  clientId,
  clientRecord,
  cleanCredentials,
  cleanRegistration,
  credentialsFor,
  normalizeKey,
  parseRecord,
  registrationFor,
  summarize,
  tokenId,
  tokenRecord,
} from './records.js'
import { atomicWrite, ensurePrivateDir, readPrivateFile, removeFile } from './secure-fs.js'
import type { CredentialSummary, TokenStoreBackend } from './types.js'

/**
 * The encrypted-file backend: one AES-256-GCM file per entry in a 0700 directory
 * (`~/.config/mcp-pa/credentials/` by default), files 0600, written atomically. File names are
 * hashes of the key, so the directory listing names no server; the associated data of each
 * file is its own name, itself the hash of (issuer, resource), and the decrypted record carries
 * the issuer and resource, checked against the key asked for: a file copied or renamed into
 * another entry's place fails to decrypt, and credentials never leak to another AS (TOK-6).
 */

export interface FileBackendOptions {
  /** The credentials directory (created 0700). */
  dir: string
  /** The 32-byte key file; default `<dir>/key`. */
  keyFile?: string
}

const TOKEN_FILE = /^tok-[0-9a-f]{40}\.cred$/

function aad(id: string): string {
  return `mcp-pa/credentials/v1 ${id}`
}

export function createFileBackend(options: FileBackendOptions): TokenStoreBackend {
  const { dir } = options
  const keyFile = options.keyFile ?? join(dir, 'key')
  let ready: Promise<Buffer> | undefined

  /** The key, once the directory has been created or checked. Failures are not cached. */
  function key(): Promise<Buffer> {
    ready ??= ensurePrivateDir(dir).then(() => loadOrCreateKey(keyFile))
    ready.catch(() => (ready = undefined))
    return ready
  }

  async function readEntry(id: string): Promise<ReturnType<typeof parseRecord> | undefined> {
    const k = await key()
    const path = join(dir, `${id}.cred`)
    const data = await readPrivateFile(path)
    if (data === undefined) return undefined
    return parseRecord(unseal(k, aad(id), data, path), path)
  }

  async function writeEntry(id: string, record: ReturnType<typeof parseRecord>): Promise<void> {
    const k = await key()
    await atomicWrite(join(dir, `${id}.cred`), seal(k, aad(id), JSON.stringify(record)))
  }

  async function removeEntry(id: string): Promise<boolean> {
    await key()
    return removeFile(join(dir, `${id}.cred`))
  }

  return {
    kind: 'file',
    location: dir,

    async get(rawKey) {
      const k = normalizeKey(rawKey)
      const id = tokenId(k)
      const record = await readEntry(id)
      return record && credentialsFor(record, k, join(dir, `${id}.cred`))
    },

    async put(rawKey, credentials) {
      const k = normalizeKey(rawKey)
      await writeEntry(tokenId(k), tokenRecord(k, cleanCredentials(credentials)))
    },

    delete: (rawKey) => removeEntry(tokenId(normalizeKey(rawKey))),

    async list() {
      await key()
      const names = (await readdir(dir)).filter((n) => TOKEN_FILE.test(n))
      const out: CredentialSummary[] = []
      for (const name of names.sort()) {
        const id = name.slice(0, -'.cred'.length)
        const record = await readEntry(id)
        if (record === undefined) continue // deleted meanwhile
        if (record.kind !== 'token' || tokenId(record) !== id) {
          throw new TokenStoreError('corrupt', `${join(dir, name)} belongs to another entry`)
        }
        out.push(summarize(record, record.credentials))
      }
      return out.sort(bySummaryKey)
    },

    async getClient(issuer) {
      const id = clientId(checkIssuer(issuer))
      const record = await readEntry(id)
      return record && registrationFor(record, issuer, join(dir, `${id}.cred`))
    },

    async putClient(registration) {
      const clean = cleanRegistration(registration)
      await writeEntry(clientId(clean.issuer), clientRecord(clean))
    },

    deleteClient: (issuer) => removeEntry(clientId(checkIssuer(issuer))),
  }
}
