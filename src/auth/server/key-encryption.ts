import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto'
import type { Secret } from '../../config/index.js'

/** The config key that names the key-encryption key's secret reference, for error messages. */
export const DEFAULT_KEK_CONFIG_KEY = 'authentication.authorization_server.key_encryption_key'

const KEK_BYTES = 32
const IV_BYTES = 12
const TAG_BYTES = 16
const FORMAT = 'v1'

/** Why the key-encryption key could not be used; the message names the config key, never key material. */
export class KeyEncryptionError extends Error {
  override readonly name = 'KeyEncryptionError'
}

const inspectCustom = Symbol.for('nodejs.util.inspect.custom')
const keyBytes = new WeakMap<KeyEncryptionKey, Buffer>()

/**
 * A 32-byte key-encryption key and the config key it came from (for error messages). The bytes
 * are reachable only inside this module: logging or serialising it shows `[redacted]`.
 */
export class KeyEncryptionKey {
  readonly configKey: string

  constructor(key: Buffer, configKey: string) {
    this.configKey = configKey
    keyBytes.set(this, Buffer.from(key))
    Object.freeze(this)
  }

  toString(): string {
    return `[redacted ${this.configKey}]`
  }

  toJSON(): string {
    return this.toString()
  }

  [inspectCustom](): string {
    return this.toString()
  }
}

function bytesOf(kek: KeyEncryptionKey): Buffer {
  const key = keyBytes.get(kek)
  if (key === undefined) throw new KeyEncryptionError('not a key-encryption key')
  return key
}

/**
 * The KEK from its resolved secret: 32 bytes as base64, base64url or hex text (e.g. the output
 * of `openssl rand -base64 32`), or a 32-byte Buffer. Never echoes the value.
 */
export function keyEncryptionKey(
  value: Secret | Buffer,
  configKey = DEFAULT_KEK_CONFIG_KEY,
): KeyEncryptionKey {
  const key = Buffer.isBuffer(value) ? Buffer.from(value) : decodeKek(value.reveal().trim())
  if (key?.length !== KEK_BYTES) {
    throw new KeyEncryptionError(
      `${configKey} must be ${KEK_BYTES} random bytes, as base64 or hex (e.g. \`openssl rand -base64 32\`)`,
    )
  }
  return new KeyEncryptionKey(key, configKey)
}

function decodeKek(text: string): Buffer | undefined {
  if (/^[0-9a-f]{64}$/i.test(text)) return Buffer.from(text, 'hex')
  if (/^[A-Za-z0-9+/_-]{43}={0,2}$/.test(text)) return Buffer.from(text, 'base64')
  return undefined
}

/**
 * Encrypts a private key (any JSON) with AES-256-GCM under the KEK: random 96-bit IV, the kid
 * as additional authenticated data (so a ciphertext cannot be moved to another key's row).
 * Returns `v1.<iv>.<ciphertext>.<tag>`, base64url.
 */
export function encryptPrivateKey(kek: KeyEncryptionKey, kid: string, privateKey: unknown): string {
  const iv = randomBytes(IV_BYTES)
  const cipher = createCipheriv('aes-256-gcm', bytesOf(kek), iv, { authTagLength: TAG_BYTES })
  cipher.setAAD(Buffer.from(kid, 'utf8'))
  const body = Buffer.concat([cipher.update(JSON.stringify(privateKey), 'utf8'), cipher.final()])
  return [FORMAT, iv, body, cipher.getAuthTag()]
    .map((part) => (typeof part === 'string' ? part : part.toString('base64url')))
    .join('.')
}

/** Decrypts what `encryptPrivateKey` made for this kid; a wrong KEK or kid is a clear error. */
export function decryptPrivateKey(kek: KeyEncryptionKey, kid: string, sealed: string): unknown {
  const parts = sealed.split('.')
  if (parts.length !== 4 || parts[0] !== FORMAT) {
    throw new KeyEncryptionError(`signing key ${kid} is stored in an unknown format`)
  }
  const [, iv, body, tag] = parts.map((part) => Buffer.from(part, 'base64url')) as [
    Buffer,
    Buffer,
    Buffer,
    Buffer,
  ]
  try {
    if (iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('malformed')
    const decipher = createDecipheriv('aes-256-gcm', bytesOf(kek), iv, { authTagLength: TAG_BYTES })
    decipher.setAAD(Buffer.from(kid, 'utf8'))
    decipher.setAuthTag(tag)
    const plain = Buffer.concat([decipher.update(body), decipher.final()])
    return JSON.parse(plain.toString('utf8')) as unknown
  } catch {
    throw new KeyEncryptionError(
      `cannot decrypt signing key ${kid}: the key-encryption key is not the one it was stored with; ` +
        `check ${kek.configKey} (it must resolve to the same secret on every instance)`,
    )
  }
}

/**
 * A 32-byte key for another purpose (`label`), derived from the KEK with HKDF-SHA-256: the cookie
 * signing keys and the CSRF key, so every instance that shares the KEK shares them too without a
 * second secret to configure. Distinct labels give independent keys.
 */
export function deriveKey(kek: KeyEncryptionKey, label: string): Buffer {
  return Buffer.from(hkdfSync('sha256', bytesOf(kek), 'mcp-pa', label, 32) as ArrayBuffer)
}
