import { calculateJwkThumbprint, exportJWK, generateKeyPair } from 'jose'
import type { JWK } from 'jose'
import type { SigningKeyAlg, SigningKeyStore, StoredSigningKey } from '../../storage/ports.js'
import { decryptPrivateKey, encryptPrivateKey } from './key-encryption.js'
import type { KeyEncryptionKey } from './key-encryption.js'

export {
  DEFAULT_KEK_CONFIG_KEY,
  KeyEncryptionError,
  KeyEncryptionKey,
  keyEncryptionKey,
} from './key-encryption.js'

/** The algorithm of a first key when none is asked for. */
export const DEFAULT_SIGNING_ALG: SigningKeyAlg = 'ES256'

/** What a signing key is published as: public members plus kid, alg and use. */
export type PublicSigningJwk = JWK & { kid: string; alg: SigningKeyAlg; use: 'sig' }

/** A JWK set. */
export interface JwkSet<K extends JWK = JWK> {
  keys: K[]
}

/** The keys to sign and publish with, from `signingKeySet`. */
export interface SigningKeySet {
  /**
   * For oidc-provider's `jwks` option: the active key first (the one it signs with), then the
   * retiring ones, which it still publishes so the tokens they signed verify. Never log this.
   */
  privateJwks: JwkSet
  /** The same keys without private members: what `/jwks` serves. */
  publicJwks: JwkSet<PublicSigningJwk>
  /** The kid of the active key. */
  activeKid: string
}

/** Clock in epoch milliseconds. */
export type Now = () => number

/** Generates a key pair and seals its private half; the kid is the public key's thumbprint. */
async function newSigningKey(
  kek: KeyEncryptionKey,
  alg: SigningKeyAlg,
  at: number,
): Promise<StoredSigningKey> {
  const { publicKey, privateKey } = await generateKeyPair(alg, { extractable: true })
  const publicJwk = await exportJWK(publicKey)
  const kid = await calculateJwkThumbprint(publicJwk, 'sha256')
  return {
    kid,
    alg,
    state: 'active',
    publicJwk: { ...publicJwk },
    encryptedPrivateKey: encryptPrivateKey(kek, kid, await exportJWK(privateKey)),
    createdAt: at,
    activatedAt: at,
  }
}

const activeKey = (keys: StoredSigningKey[]): StoredSigningKey | undefined =>
  keys.find((key) => key.state === 'active')

/** Decrypts a stored key into a private JWK with kid, alg and use (throws on a wrong KEK). */
function privateJwk(kek: KeyEncryptionKey, key: StoredSigningKey): JWK {
  const jwk = decryptPrivateKey(kek, key.kid, key.encryptedPrivateKey) as JWK
  return { ...jwk, kid: key.kid, alg: key.alg, use: 'sig' }
}

function publicJwk(key: StoredSigningKey): PublicSigningJwk {
  const { d: _d, ...rest } = key.publicJwk
  return { ...(rest as JWK), kid: key.kid, alg: key.alg, use: 'sig' }
}

export interface EnsureSigningKeyOptions {
  /** The algorithm of a key generated now; an existing active key is kept whatever its alg. */
  alg?: SigningKeyAlg
  now?: Now
}

/**
 * Returns the active signing key, generating one on first start. Idempotent, and safe when two
 * instances start at once: the store admits one active key, so the loser of the insert re-reads
 * and gets the winner's. Checks that the KEK opens the active key, so a wrong KEK fails at start.
 */
export async function ensureSigningKey(
  store: SigningKeyStore,
  kek: KeyEncryptionKey,
  options: EnsureSigningKeyOptions = {},
): Promise<StoredSigningKey> {
  const now = options.now ?? Date.now
  for (let attempt = 0; attempt < 3; attempt++) {
    const existing = activeKey(await store.list())
    if (existing !== undefined) {
      privateJwk(kek, existing)
      return existing
    }
    const created = await newSigningKey(kek, options.alg ?? DEFAULT_SIGNING_ALG, now())
    if (await store.insert(created)) return created
  }
  throw new Error('could not settle on an active signing key (concurrent rotations?); try again')
}

/** The private and public JWK sets: active first, then retiring keys; retired keys are left out. */
export async function signingKeySet(
  store: SigningKeyStore,
  kek: KeyEncryptionKey,
): Promise<SigningKeySet> {
  const keys = (await store.list()).filter((key) => key.state !== 'retired')
  const active = activeKey(keys)
  if (active === undefined) {
    throw new Error('there is no active signing key: call ensureSigningKey first')
  }
  const ordered = [active, ...keys.filter((key) => key.state === 'retiring')]
  return {
    privateJwks: { keys: ordered.map((key) => privateJwk(kek, key)) },
    publicJwks: { keys: ordered.map(publicJwk) },
    activeKid: active.kid,
  }
}

export interface RotateSigningKeyOptions {
  now?: Now
  /**
   * The longest lifetime of anything the old key signed (access tokens, ID tokens, signed
   * responses), in seconds: the old key is published that long after the rotation.
   */
  accessTokenTtlSeconds: number
  /** The new key's algorithm; default: the current key's. */
  alg?: SigningKeyAlg
}

export interface RotationResult {
  active: StoredSigningKey
  /** The key that became retiring, when there was an active one. */
  retiring?: StoredSigningKey
}

/**
 * Makes a new active key; the previous one becomes `retiring` with retireAfter = now + the
 * token lifetime, so tokens it signed keep verifying until they expire. When another instance
 * rotates at the same moment, one rotation wins and this one retries against the new key.
 */
export async function rotateSigningKey(
  store: SigningKeyStore,
  kek: KeyEncryptionKey,
  options: RotateSigningKeyOptions,
): Promise<RotationResult> {
  const ttl = options.accessTokenTtlSeconds
  if (!Number.isFinite(ttl) || ttl < 0) {
    throw new RangeError('accessTokenTtlSeconds must be a non-negative number')
  }
  const now = options.now ?? Date.now
  for (let attempt = 0; attempt < 3; attempt++) {
    const current = activeKey(await store.list())
    if (current !== undefined) privateJwk(kek, current)
    const at = now()
    const created = await newSigningKey(kek, options.alg ?? current?.alg ?? DEFAULT_SIGNING_ALG, at)
    if (current === undefined) {
      if (await store.insert(created)) return { active: created }
      continue
    }
    const retireAfter = at + Math.ceil(ttl * 1000)
    if (await store.rotate(created, current.kid, retireAfter)) {
      return { active: created, retiring: { ...current, state: 'retiring', retireAfter } }
    }
  }
  throw new Error('could not rotate the signing key (concurrent rotations?); try again')
}

/** Retires the retiring keys whose tokens have all expired (retireAfter ≤ now); returns their kids. */
export async function retireExpiredKeys(store: SigningKeyStore, now: number): Promise<string[]> {
  const retired: string[] = []
  for (const key of await store.list()) {
    if (key.state !== 'retiring' || key.retireAfter === undefined || key.retireAfter > now) continue
    if (await store.setState(key.kid, 'retired', now)) retired.push(key.kid)
  }
  return retired
}
