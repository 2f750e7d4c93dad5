import { join } from 'node:path'
import { constantTimeEqual } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'
import { cleanCredentials, normalizeKey, tokenId } from './records.js'
import { withFileLock, type LockOptions } from './refresh-lock.js'
import type { StoreKey, StoredCredentials, TokenStore, TokenStoreBackend } from './types.js'

export interface TokenStoreOptions {
  /** Where the refresh lock files live (created 0700); `openTokenStore` uses `<dir>/locks`. */
  lockDir: string
  lock?: LockOptions
}

function sameSecret(a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  return constantTimeEqual(a, b)
}

/** Adds rotation and the cross-process refresh lock to a backend. */
export function createTokenStore(
  backend: TokenStoreBackend,
  options: TokenStoreOptions,
): TokenStore {
  return {
    kind: backend.kind,
    location: backend.location,
    get: (key) => backend.get(key),
    put: (key, credentials) => backend.put(key, credentials),
    delete: (key) => backend.delete(key),
    list: () => backend.list(),
    getClient: (issuer) => backend.getClient(issuer),
    putClient: (registration) => backend.putClient(registration),
    deleteClient: (issuer) => backend.deleteClient(issuer),

    async rotate(rawKey, credentials) {
      const key = normalizeKey(rawKey)
      const next = cleanCredentials(credentials)
      if (next.refresh_token === undefined || next.account === undefined) {
        const previous = await backend.get(key)
        next.refresh_token ??= previous?.refresh_token
        next.account ??= previous?.account
        if (next.refresh_token === undefined) delete next.refresh_token
        if (next.account === undefined) delete next.account
      }
      await backend.put(key, next)
      // Read back: the new refresh token must be durable before the new access token is used.
      const back = await backend.get(key)
      if (
        back === undefined ||
        !sameSecret(back.access_token, next.access_token) ||
        !sameSecret(back.refresh_token, next.refresh_token)
      ) {
        throw new TokenStoreError(
          'not_persisted',
          `${backend.location} did not keep the refreshed credentials; not using them`,
        )
      }
      return next
    },

    withRefreshLock<T>(
      rawKey: StoreKey,
      fn: (current: StoredCredentials | undefined) => Promise<T>,
    ): Promise<T> {
      const key = normalizeKey(rawKey)
      const path = join(options.lockDir, `${tokenId(key)}.lock`)
      return withFileLock(path, async () => fn(await backend.get(key)), options.lock)
    },
  }
}
