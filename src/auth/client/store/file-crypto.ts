import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto'
import { TokenStoreError } from './errors.js'
import { createExclusive, errno, readPrivateFile } from './secure-fs.js'

/**
 * Encryption at rest for the file backend (TOK-7, RT-2): AES-256-GCM, a fresh random 96-bit IV
 * for every write, a 128-bit tag, and associated data naming the slot the ciphertext belongs to.
 *
 * What this protects against, honestly: ACCIDENTAL DISCLOSURE of the credential files — a backup
 * or a sync folder that picks up the directory, a `cat` or a screen share, a copy pasted into a
 * bug report. The key lives in a 0600 file next to the credentials, so it does NOT protect
 * against malware or another program running as the same user, which can read the key as
 * easily as the files (the OS keychain is the better place; this is the fallback when none runs).
 */

const KEY_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16

/**
 * Reads the 32-byte key from `keyFile`, creating it once (0600, complete from the moment it
 * exists, so two processes starting together agree on one key).
 */
export async function loadOrCreateKey(keyFile: string): Promise<Buffer> {
  let key = await readPrivateFile(keyFile)
  if (key === undefined) {
    try {
      await createExclusive(keyFile, randomBytes(KEY_BYTES))
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error
    }
    key = await readPrivateFile(keyFile)
  }
  if (key === undefined || key.length !== KEY_BYTES) {
    throw new TokenStoreError(
      'corrupt',
      `${keyFile} is not a ${KEY_BYTES}-byte key. Stored credentials cannot be decrypted without ` +
        'it: remove the key file and the credentials directory, then log in again',
    )
  }
  return key
}

/** The on-disk envelope; all fields base64url. */
interface Envelope {
  v: 1
  alg: 'A256GCM'
  iv: string
  tag: string
  ct: string
}

/** Encrypts `plaintext` bound to `aad`; returns the JSON envelope to write. */
export function seal(key: Buffer, aad: string, plaintext: string): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(aad, 'utf8'))
  const ct = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()])
  const envelope: Envelope = {
    v: 1,
    alg: 'A256GCM',
    iv: iv.toString('base64url'),
    tag: cipher.getAuthTag().toString('base64url'),
    ct: ct.toString('base64url'),
  }
  return `${JSON.stringify(envelope)}\n`
}

/**
 * Decrypts an envelope read from `path`. Throws `corrupt` when it is not an envelope and
 * `integrity` when the tag does not verify (modified, moved to another slot, or another key).
 */
export function unseal(key: Buffer, aad: string, data: Buffer, path: string): string {
  let envelope: Partial<Envelope>
  try {
    envelope = JSON.parse(data.toString('utf8')) as Partial<Envelope>
  } catch {
    envelope = {}
  }
  const iv = Buffer.from(String(envelope.iv ?? ''), 'base64url')
  const tag = Buffer.from(String(envelope.tag ?? ''), 'base64url')
  if (
    envelope.v !== 1 ||
    envelope.alg !== 'A256GCM' ||
    typeof envelope.ct !== 'string' ||
    iv.length !== IV_BYTES ||
    tag.length !== TAG_BYTES
  ) {
    throw new TokenStoreError(
      'corrupt',
      `${path} is not an mcp-pa encrypted credential file. Remove it and log in again`,
    )
  }
  const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES })
  decipher.setAAD(Buffer.from(aad, 'utf8'))
  decipher.setAuthTag(tag)
  try {
    const ct = Buffer.from(envelope.ct, 'base64url')
    return Buffer.concat([decipher.update(ct), decipher.final()]).toString('utf8')
  } catch {
    throw new TokenStoreError(
      'integrity',
      `${path} failed its integrity check: it was modified, moved from another entry, or ` +
        'encrypted with a different key. Remove it and log in again',
    )
  }
}
