import { TokenStoreError } from './errors.js'
import { asciiJson, deleteValue, readValue, writeValue } from './keychain-chunks.js'
import { KEYCHAIN_SERVICE, type Keyring } from './keyring.js'
import {
  bySummaryKey,
  checkIssuer,
  clientId,
  clientRecord,
  cleanCredentials,
  cleanRegistration,
  credentialsFor,
  normalizeKey,
  parseRecord,
  registrationFor,
  summarize,
  tokenId,
  tokenRecord,
} from './records.js'
import type { CredentialSummary, StoreKey, TokenStoreBackend } from './types.js'

/**
 * The OS keychain backend (TOK-7, RT-2): one entry per key under the service "mcp-pa", its
 * account a hash of (issuer, resource); client registrations under their own hashed accounts.
 * Each value is the JSON record with the issuer and resource it belongs to, checked on read.
 *
 * Keychains cannot list their entries portably, so an index entry names the keys that have
 * credentials (not secret: issuers and resources). `list()` reads through it and skips keys
 * whose entry is gone; every `put` re-adds its key, so the index heals itself. Index updates are
 * read-modify-write; `serialize` (a cross-process lock in `openTokenStore`) keeps two processes
 * from losing each other's update.
 */

export const INDEX_ACCOUNT = 'mcp-pa-client-index'

export interface KeychainBackendOptions {
  /** Runs index updates one at a time across processes. Default: no serialisation. */
  serialize?: <T>(fn: () => Promise<T>) => Promise<T>
}

interface Index {
  v: 1
  tokens: StoreKey[]
}

function readIndex(keyring: Keyring): Index {
  const text = readValue(keyring, INDEX_ACCOUNT)
  if (text === undefined) return { v: 1, tokens: [] }
  try {
    const value = JSON.parse(text) as Partial<Index>
    const tokens = Array.isArray(value.tokens) ? value.tokens : []
    return {
      v: 1,
      tokens: tokens.filter(
        (k): k is StoreKey => typeof k?.issuer === 'string' && typeof k?.resource === 'string',
      ),
    }
  } catch {
    throw new TokenStoreError(
      'corrupt',
      `the keychain entry ${INDEX_ACCOUNT} (service "${KEYCHAIN_SERVICE}") is not valid JSON; ` +
        'delete it: the next login rebuilds it',
    )
  }
}

export function createKeychainBackend(
  keyring: Keyring,
  options: KeychainBackendOptions = {},
): TokenStoreBackend {
  const serialize = options.serialize ?? ((fn) => fn())
  const where = (account: string) => `the keychain entry ${account}`
  const same = (a: StoreKey, b: StoreKey) => a.issuer === b.issuer && a.resource === b.resource

  function updateIndex(change: (tokens: StoreKey[]) => StoreKey[] | undefined): Promise<void> {
    return serialize(async () => {
      const index = readIndex(keyring)
      const tokens = change(index.tokens)
      if (tokens !== undefined) writeValue(keyring, INDEX_ACCOUNT, asciiJson({ v: 1, tokens }))
    })
  }

  function read(account: string) {
    const text = readValue(keyring, account)
    return text === undefined ? undefined : parseRecord(text, where(account))
  }

  return {
    kind: 'keychain',
    location: `the OS keychain (service "${KEYCHAIN_SERVICE}")`,

    async get(rawKey) {
      const key = normalizeKey(rawKey)
      const account = tokenId(key)
      const record = read(account)
      return record && credentialsFor(record, key, where(account))
    },

    async put(rawKey, credentials) {
      const key = normalizeKey(rawKey)
      const clean = cleanCredentials(credentials)
      writeValue(keyring, tokenId(key), asciiJson(tokenRecord(key, clean)))
      await updateIndex((tokens) =>
        tokens.some((k) => same(k, key)) ? undefined : [...tokens, key],
      )
    },

    async delete(rawKey) {
      const key = normalizeKey(rawKey)
      const removed = deleteValue(keyring, tokenId(key))
      await updateIndex((tokens) =>
        tokens.some((k) => same(k, key)) ? tokens.filter((k) => !same(k, key)) : undefined,
      )
      return removed
    },

    async list() {
      const out: CredentialSummary[] = []
      for (const key of readIndex(keyring).tokens) {
        const account = tokenId(key)
        const record = read(account)
        if (record === undefined) continue // deleted elsewhere; the index heals on the next put
        out.push(summarize(key, credentialsFor(record, key, where(account))))
      }
      return out.sort(bySummaryKey)
    },

    async getClient(issuer) {
      const account = clientId(checkIssuer(issuer))
      const record = read(account)
      return record && registrationFor(record, issuer, where(account))
    },

    async putClient(registration) {
      const clean = cleanRegistration(registration)
      writeValue(keyring, clientId(clean.issuer), asciiJson(clientRecord(clean)))
    },

    async deleteClient(issuer) {
      return deleteValue(keyring, clientId(checkIssuer(issuer)))
    },
  }
}
