import { randomToken } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'

/**
 * Loads the optional peer `@napi-rs/keyring` dynamically and checks that a keychain answers
 * (macOS Keychain, Secret Service on Linux, Windows Credential Manager). The same approach as
 * `config-audit/fix/keychain.ts`, written again here because `auth/client` imports only
 * `auth/protocol` (DESIGN §4).
 */

/** The keychain service under which every entry of mcp-pa lives. */
export const KEYCHAIN_SERVICE = 'mcp-pa'

/**
 * The part of `@napi-rs/keyring`'s `Entry` we use. Releases differ in the name of the delete
 * method (`deletePassword` in 1.0, `deleteCredential` later), so either is accepted.
 */
export interface KeyringEntryLike {
  setPassword(value: string): void
  getPassword(): string | null | undefined
  deletePassword?(): boolean
  deleteCredential?(): boolean
}

export type KeyringEntryConstructor = new (service: string, account: string) => KeyringEntryLike

/** The keychain as the backend sees it: string values under accounts of one service. */
export interface Keyring {
  get(account: string): string | undefined
  set(account: string, value: string): void
  /** True when something was deleted. */
  delete(account: string): boolean
}

/** Imports the keyring module; the default imports `@napi-rs/keyring`. */
export type KeyringModuleLoader = () => Promise<unknown>

export type KeyringProbe = { ok: true; keyring: Keyring } | { ok: false; reason: string }

const defaultLoader: KeyringModuleLoader = () => {
  const specifier = '@napi-rs/keyring'
  return import(specifier)
}

/** Wraps an `Entry` class; failures become `keychain_failure` errors that quote no value. */
export function keyringFromEntry(Entry: KeyringEntryConstructor, service = KEYCHAIN_SERVICE) {
  const failure = (what: string, cause: unknown) =>
    new TokenStoreError('keychain_failure', `the OS keychain refused to ${what}`, { cause })
  const keyring: Keyring = {
    get(account) {
      try {
        return new Entry(service, account).getPassword() ?? undefined
      } catch (error) {
        throw failure(`read the entry ${account} of service "${service}"`, error)
      }
    },
    set(account, value) {
      try {
        new Entry(service, account).setPassword(value)
      } catch (error) {
        throw failure(`store the entry ${account} of service "${service}"`, error)
      }
    },
    delete(account) {
      try {
        const entry = new Entry(service, account)
        if (typeof entry.deleteCredential === 'function') return entry.deleteCredential()
        if (typeof entry.deletePassword === 'function') return entry.deletePassword()
        throw new TypeError('the keyring Entry has no delete method')
      } catch (error) {
        throw failure(`delete the entry ${account} of service "${service}"`, error)
      }
    },
  }
  return keyring
}

/**
 * Loads the keyring module and probes it with a throw-away entry (write, read back, delete).
 * Never throws: says why not when no keychain can be used.
 */
export async function loadKeyring(
  load: KeyringModuleLoader = defaultLoader,
): Promise<KeyringProbe> {
  let Entry: KeyringEntryConstructor
  try {
    const loaded = (await load()) as { Entry?: unknown; default?: { Entry?: unknown } }
    const candidate = loaded.Entry ?? loaded.default?.Entry
    if (typeof candidate !== 'function') throw new Error('no Entry export')
    Entry = candidate as KeyringEntryConstructor
  } catch {
    return { ok: false, reason: 'the optional package @napi-rs/keyring is not installed' }
  }
  const keyring = keyringFromEntry(Entry)
  try {
    const account = `probe-${randomToken(16)}`
    const probeValue = randomToken(16)
    keyring.set(account, probeValue)
    const back = keyring.get(account)
    keyring.delete(account)
    if (back !== probeValue) throw new Error('the probe value did not come back')
  } catch {
    return {
      ok: false,
      reason:
        'no keychain service answered (macOS Keychain, Secret Service on Linux, ' +
        'Windows Credential Manager)',
    }
  }
  return { ok: true, keyring }
}
