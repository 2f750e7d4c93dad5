import type { KeyringEntryLike } from './keyring.js'

/**
 * An in-memory stand-in for the `Entry` class of `@napi-rs/keyring`, used ONLY because the real
 * package is not installed on the machines that run these tests and no keychain service (Secret
 * Service, macOS Keychain, Windows Credential Manager) runs there. It mimics the documented
 * behaviour: `getPassword()` gives null when there is no entry; `setPassword` overwrites; the
 * delete method is `deleteCredential` (1.1+) or `deletePassword` (1.0); `maxChars` emulates the
 * Windows Credential Manager limit (2,560 bytes = 1,280 UTF-16 units).
 */
export interface MemoryKeyringOptions {
  deleteMethod?: 'deleteCredential' | 'deletePassword'
  maxChars?: number
  /** Every call throws, like a keychain whose service is not running. */
  broken?: boolean
}

export function memoryKeyring(options: MemoryKeyringOptions = {}) {
  const entries = new Map<string, string>()
  const slot = (service: string, account: string) => `${service}\u0000${account}`
  const deleteMethod = options.deleteMethod ?? 'deleteCredential'

  class Entry implements KeyringEntryLike {
    readonly slotKey: string
    deleteCredential?: () => boolean
    deletePassword?: () => boolean
    constructor(service: string, account: string) {
      if (options.broken) throw new Error('Platform secure storage failure: no service')
      this.slotKey = slot(service, account)
      this[deleteMethod] = () => entries.delete(this.slotKey)
    }
    setPassword(value: string): void {
      if (options.maxChars !== undefined && value.length > options.maxChars) {
        throw new Error('Attribute too long for platform')
      }
      entries.set(this.slotKey, value)
    }
    getPassword(): string | null {
      return entries.get(this.slotKey) ?? null
    }
  }

  /** Accounts stored under `service`, for assertions. */
  const accounts = (service = 'mcp-pa') =>
    [...entries.keys()]
      .filter((k) => k.startsWith(`${service}\u0000`))
      .map((k) => k.slice(service.length + 1))
  return { module: { Entry }, entries, accounts, slot }
}
