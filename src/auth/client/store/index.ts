/**
 * The token store of the CLI OAuth client: credentials keyed by (AS issuer, resource) and client
 * registrations keyed by issuer, in the OS keychain or an encrypted 0600 file (TOK-6, TOK-7, RT-2).
 * `openTokenStore` is the entry point; the backends are exported for tests and diagnostics.
 */
export { openTokenStore, defaultCredentialsDir } from './open.js'
export type { OpenTokenStoreOptions } from './open.js'
export { createTokenStore } from './token-store.js'
export { createFileBackend } from './file-store.js'
export { createKeychainBackend } from './keychain-store.js'
export { KEYCHAIN_SERVICE, keyringFromEntry, loadKeyring } from './keyring.js'
export type { Keyring, KeyringEntryConstructor, KeyringModuleLoader } from './keyring.js'
/** Cross-process lock files (single-flight refresh). */
export { withFileLock } from './refresh-lock.js'
export type { LockOptions } from './refresh-lock.js'
export { TokenStoreError } from './errors.js'
export type { TokenStoreErrorCode } from './errors.js'
export type {
  ClientRegistration,
  CredentialSummary,
  RegistrationMethod,
  StoreKey,
  StoredCredentials,
  TokenStore,
  TokenStoreBackend,
  TokenStoreKind,
} from './types.js'
