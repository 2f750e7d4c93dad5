import type { MovedSecret } from './dotenv.js'

/** The service name under which moved secrets are stored in the OS keychain. */
export const KEYCHAIN_SERVICE = 'mcp-pa'

interface KeyringEntry {
  setPassword(value: string): void
  getPassword(): string | null | undefined
  /** @napi-rs/keyring 1.x names it deletePassword, later releases deleteCredential. */
  deleteCredential?(): boolean
  deletePassword?(): boolean
}
type EntryConstructor = new (service: string, account: string) => KeyringEntry

function deleteEntry(entry: KeyringEntry): void {
  if (typeof entry.deleteCredential === 'function') entry.deleteCredential()
  else if (typeof entry.deletePassword === 'function') entry.deletePassword()
  else throw new Error('this @napi-rs/keyring has no delete method')
}

/** A keychain that can hold the moved secrets. */
export interface SecretVault {
  put(secrets: readonly MovedSecret[]): Promise<void>
  remove(names: readonly string[]): Promise<void>
}

const UNAVAILABLE =
  '--secrets-to keychain needs the optional package @napi-rs/keyring and a running keychain ' +
  'service (macOS Keychain, Secret Service on Linux, Windows Credential Manager). '

/**
 * Loads `@napi-rs/keyring` (optional, imported dynamically) and checks that a keychain answers.
 * Throws a message that says what to do; nothing is changed then.
 */
export async function openKeychain(): Promise<SecretVault> {
  const specifier = '@napi-rs/keyring'
  let Entry: EntryConstructor
  try {
    const loaded = (await import(specifier)) as { Entry?: EntryConstructor }
    if (typeof loaded.Entry !== 'function') throw new Error('no Entry export')
    Entry = loaded.Entry
  } catch {
    throw new Error(
      `${UNAVAILABLE}It is not installed: run "npm install @napi-rs/keyring" or use --secrets-to env. Nothing was changed.`,
    )
  }
  try {
    const probe = new Entry(KEYCHAIN_SERVICE, 'mcp-pa-audit-probe')
    probe.setPassword('probe')
    deleteEntry(probe)
  } catch {
    throw new Error(
      `${UNAVAILABLE}No keychain service answered. Use --secrets-to env. Nothing was changed.`,
    )
  }
  return {
    async put(secrets) {
      for (const { name, value } of secrets) {
        const entry = new Entry(KEYCHAIN_SERVICE, name)
        entry.setPassword(value)
        const back = entry.getPassword() ?? ''
        if (!Buffer.from(back).equals(Buffer.from(value)))
          throw new Error(`the keychain did not keep ${name}`)
      }
    },
    async remove(names) {
      for (const name of names) {
        try {
          deleteEntry(new Entry(KEYCHAIN_SERVICE, name))
        } catch {
          // Best effort while rolling back.
        }
      }
    },
  }
}
