import { homedir } from 'node:os'
import { join } from 'node:path'
import { createFileBackend } from './file-store.js'
import { createKeychainBackend } from './keychain-store.js'
import { loadKeyring, type KeyringModuleLoader } from './keyring.js'
import { withFileLock, type LockOptions } from './refresh-lock.js'
import { createExclusive, ensurePrivateDir, errno } from './secure-fs.js'
import { createTokenStore } from './token-store.js'
import type { TokenStore } from './types.js'

export interface OpenTokenStoreOptions {
  /** The credentials directory; default `~/.config/mcp-pa/credentials`. Holds the lock files too. */
  dir?: string
  /** Use the OS keychain when it loads and answers (default true); false forces the file backend. */
  preferKeychain?: boolean
  /**
   * Told once per machine (a marker file in `dir`) that no keychain was usable and the encrypted
   * file backend is in use. Without a callback nothing is marked, so a later caller is told.
   */
  onWarning?: (message: string) => void
  /** Test seam: how `@napi-rs/keyring` is imported. */
  loadKeyringModule?: KeyringModuleLoader
  lock?: LockOptions
}

/** `<home>/.config/mcp-pa/credentials`. */
export function defaultCredentialsDir(home: string = homedir()): string {
  return join(home, '.config', 'mcp-pa', 'credentials')
}

export const FALLBACK_MARKER = '.keychain-fallback-warned'

function fallbackWarning(reason: string, dir: string): string {
  return (
    `No OS keychain is available: ${reason}. mcp-pa keeps OAuth tokens in ${dir} instead, ` +
    `encrypted (AES-256-GCM) in files only you can read, with the key in ${join(dir, 'key')}. ` +
    'This guards against accidental disclosure (backups, sync folders, cat), not against other ' +
    'programs running as you. To use the OS keychain, install @napi-rs/keyring and run a ' +
    'keychain service. This message is shown once.'
  )
}

async function warnOnce(dir: string, message: string, onWarning: (m: string) => void) {
  await ensurePrivateDir(dir)
  try {
    await createExclusive(join(dir, FALLBACK_MARKER), `${new Date().toISOString()}\n`)
  } catch (error) {
    if (errno(error) === 'EEXIST') return
    throw error
  }
  onWarning(message)
}

/**
 * Opens the token store: the OS keychain when `@napi-rs/keyring` loads and a probe entry can be
 * written and read back, else the encrypted file backend (with a one-time warning).
 */
export async function openTokenStore(options: OpenTokenStoreOptions = {}): Promise<TokenStore> {
  const dir = options.dir ?? defaultCredentialsDir()
  const lockDir = join(dir, 'locks')
  const settings = { lockDir, ...(options.lock === undefined ? {} : { lock: options.lock }) }
  if (options.preferKeychain !== false) {
    const probe = await loadKeyring(options.loadKeyringModule)
    if (probe.ok) {
      const serialize = <T>(fn: () => Promise<T>) =>
        withFileLock(join(lockDir, 'keychain-index.lock'), fn, options.lock)
      return createTokenStore(createKeychainBackend(probe.keyring, { serialize }), settings)
    }
    if (options.onWarning !== undefined) {
      await warnOnce(dir, fallbackWarning(probe.reason, dir), options.onWarning)
    }
  }
  return createTokenStore(createFileBackend({ dir }), settings)
}
