import { SIGNING_KEY_ALGS } from '../../../storage/ports.js'
import type { SigningKeyAlg, SigningKeyStore, StoredSigningKey } from '../../../storage/ports.js'
import type { KeyEncryptionKey } from '../key-encryption.js'
import { retireExpiredKeys, rotateSigningKey } from '../keys.js'
import { AdminError, clockOf } from './errors.js'
import type { AdminContext } from './errors.js'

/** A signing key as listed: never its private half, sealed or not. Times epoch ms. */
export type SigningKeyView = Omit<StoredSigningKey, 'encryptedPrivateKey' | 'publicJwk'>

export interface KeyRotation {
  /** The new active key. */
  active: SigningKeyView
  /** The previous active key, now retiring (published until `retireAfter`). */
  retiring?: SigningKeyView
  /** Kids of retiring keys whose tokens had all expired, retired before the rotation. */
  retired: string[]
}

export interface RotateKeysOptions {
  /** The longest token lifetime in seconds: the old key stays published that long. */
  accessTokenTtlSeconds: number
  /** The new key's algorithm; default: the current key's. */
  alg?: SigningKeyAlg
}

const view = ({
  encryptedPrivateKey: _sealed,
  publicJwk: _jwk,
  ...rest
}: StoredSigningKey): SigningKeyView => rest

/** Every signing key: active, then retiring, then retired; no key material. */
export async function listSigningKeys(store: SigningKeyStore): Promise<SigningKeyView[]> {
  return (await store.list()).map(view)
}

/**
 * Retires the retiring keys whose tokens have expired, then rotates (ADR 0006): a new active
 * key, the previous one retiring until now + `accessTokenTtlSeconds`. Needs the KEK to seal the
 * new key and to prove it opens the current one (a wrong KEK is a `KeyEncryptionError` naming
 * the config key). Emits `as.key_rotated`.
 */
export async function rotateSigningKeys(
  store: SigningKeyStore,
  kek: KeyEncryptionKey,
  options: RotateKeysOptions,
  context: AdminContext,
): Promise<KeyRotation> {
  if (options.alg !== undefined && !(SIGNING_KEY_ALGS as readonly string[]).includes(options.alg)) {
    throw new AdminError(
      'invalid_input',
      `the signing algorithm must be one of ${SIGNING_KEY_ALGS.join(', ')}`,
    )
  }
  const now = () => clockOf(context)
  const retired = await retireExpiredKeys(store, now())
  const result = await rotateSigningKey(store, kek, {
    accessTokenTtlSeconds: options.accessTokenTtlSeconds,
    now,
    ...(options.alg === undefined ? {} : { alg: options.alg }),
  })
  context.audit.emit({
    type: 'as.key_rotated',
    kid: result.active.kid,
    ...(result.retiring === undefined ? {} : { previousKid: result.retiring.kid }),
  })
  return {
    active: view(result.active),
    ...(result.retiring === undefined ? {} : { retiring: view(result.retiring) }),
    retired,
  }
}
