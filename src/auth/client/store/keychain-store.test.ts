/**
 * The OS keychain backend, tested through an IN-MEMORY STAND-IN for the `Entry` API of
 * `@napi-rs/keyring` (memory-keyring-test-support.ts). That is a mock, and CONVENTIONS prefers
 * real peers; it is used here ONLY because the real package is not installed on this machine
 * and no keychain service (Secret Service, macOS Keychain, Windows Credential Manager) runs
 * here, so a real keychain cannot be exercised. What the stand-in cannot show — that the real
 * native module behaves as documented on each OS — is left to a manual check on those OSes.
 * `keyring.test.ts` does exercise the real dynamic import, which fails here as it should.
 */
import { describe, expect, it } from 'vitest'
import {
  errorOf,
  freshCredentials,
  freshRegistration,
  ISSUER_A,
  ISSUER_B,
  RESOURCE_1,
  RESOURCE_2,
  secretsOf,
  tokenStoreContract,
} from './contract-test-support.js'
import { TokenStoreError } from './errors.js'
import { CHUNK_CHARS } from './keychain-chunks.js'
import { createKeychainBackend, INDEX_ACCOUNT } from './keychain-store.js'
import { keyringFromEntry } from './keyring.js'
import { memoryKeyring, type MemoryKeyringOptions } from './memory-keyring-test-support.js'
import { clientId, tokenId } from './records.js'

const a1 = { issuer: ISSUER_A, resource: RESOURCE_1 }

function setup(options: MemoryKeyringOptions = {}) {
  const memory = memoryKeyring(options)
  const keyring = keyringFromEntry(memory.module.Entry)
  return { memory, keyring, store: createKeychainBackend(keyring) }
}

tokenStoreContract('OS keychain (in-memory Entry stand-in)', async () => setup().store)
tokenStoreContract(
  'OS keychain, Windows-sized entries (stand-in)',
  async () => setup({ maxChars: 1280, deleteMethod: 'deletePassword' }).store,
)

describe('keychain backend', () => {
  it('uses service "mcp-pa" and hashed accounts that name no server', async () => {
    const { memory, store } = setup()
    await store.put(a1, freshCredentials())
    await store.putClient(freshRegistration(ISSUER_A))
    expect(memory.accounts().sort()).toEqual(
      [tokenId(a1), clientId(ISSUER_A), INDEX_ACCOUNT].sort(),
    )
    expect(tokenId(a1)).toMatch(/^tok-[0-9a-f]{40}$/)
    expect(memory.accounts('other')).toEqual([])
  })

  it('TOK-7: the index entry holds keys only, never a token', async () => {
    const { memory, store } = setup()
    const credentials = freshCredentials()
    await store.put(a1, credentials)
    const index = memory.entries.get(memory.slot('mcp-pa', INDEX_ACCOUNT)) ?? ''
    expect(JSON.parse(index)).toEqual({ v: 1, tokens: [a1] })
    for (const secret of secretsOf(credentials)) expect(index).not.toContain(secret)
  })

  it('list() skips entries removed behind its back, and the next put heals the index', async () => {
    const { memory, keyring, store } = setup()
    await store.put(a1, freshCredentials())
    await store.put({ issuer: ISSUER_B, resource: RESOURCE_2 }, freshCredentials())
    keyring.delete(tokenId(a1))
    expect((await store.list()).map((s) => s.issuer)).toEqual([ISSUER_B])
    memory.entries.delete(memory.slot('mcp-pa', INDEX_ACCOUNT))
    expect(await store.list()).toEqual([])
    await store.put(a1, freshCredentials())
    expect((await store.list()).map((s) => s.issuer)).toEqual([ISSUER_A])
  })

  it('splits long values under the Windows limit and removes old parts on overwrite and delete', async () => {
    const { memory, store } = setup({ maxChars: 1280 })
    const long = freshCredentials({ access_token: `jwt-${'x'.repeat(3 * CHUNK_CHARS)}` })
    await store.put(a1, long)
    expect(await store.get(a1)).toEqual(long)
    const parts = () => memory.accounts().filter((a) => a.startsWith(`${tokenId(a1)}~`))
    expect(parts()).toHaveLength(4)
    for (const value of memory.entries.values()) expect(value.length).toBeLessThanOrEqual(1280)
    const longer = freshCredentials({ access_token: `jwt-${'y'.repeat(5 * CHUNK_CHARS)}` })
    await store.put(a1, longer)
    expect(await store.get(a1)).toEqual(longer)
    expect(parts()).toHaveLength(6)
    const short = freshCredentials()
    await store.put(a1, short)
    expect(parts()).toHaveLength(0)
    await store.put(a1, longer)
    expect(await store.delete(a1)).toBe(true)
    expect(memory.accounts()).toEqual([INDEX_ACCOUNT])
  })

  it('keeps non-ASCII account names intact even when a split falls inside them', async () => {
    const { store } = setup({ maxChars: 1280 })
    const account = `Zoë 🦊 ${'é'.repeat(CHUNK_CHARS)}`
    const credentials = freshCredentials({ account })
    await store.put(a1, credentials)
    expect(await store.get(a1)).toEqual(credentials)
  })

  it('a reader that finds a part missing says so instead of returning half a value', async () => {
    const { memory, store } = setup()
    await store.put(a1, freshCredentials({ access_token: 'z'.repeat(2 * CHUNK_CHARS) }))
    const part = memory.accounts().find((a) => a.endsWith('~1'))
    memory.entries.delete(memory.slot('mcp-pa', part ?? ''))
    expect((await errorOf(store.get(a1))).code).toBe('corrupt')
  })

  it('TOK-6: an entry copied under another key is refused, not used with the other AS', async () => {
    const { memory, keyring, store } = setup()
    await store.put(a1, freshCredentials())
    const b1 = { issuer: ISSUER_B, resource: RESOURCE_1 }
    keyring.set(tokenId(b1), memory.entries.get(memory.slot('mcp-pa', tokenId(a1))) ?? '')
    await expect(store.get(b1)).rejects.toThrow(`belongs to another server or issuer; refusing it`)
    keyring.set(clientId(ISSUER_B), JSON.stringify({ v: 1, kind: 'client', issuer: ISSUER_A }))
    await expect(store.getClient(ISSUER_B)).rejects.toThrow(TokenStoreError)
    await store.putClient(freshRegistration(ISSUER_A))
    keyring.set(clientId(ISSUER_B), memory.entries.get(memory.slot('mcp-pa', clientId(ISSUER_A)))!)
    await expect(store.getClient(ISSUER_B)).rejects.toThrow('belongs to another issuer')
  })

  it('a keychain that refuses writes gives keychain_failure without quoting the value', async () => {
    const { store } = setup({ maxChars: 10 })
    const credentials = freshCredentials()
    const { code, message } = await errorOf(store.put(a1, credentials))
    expect(code).toBe('keychain_failure')
    expect(message).toMatch(
      /^the OS keychain refused to store the entry tok-[0-9a-f]{40}\S* of service "mcp-pa"$/,
    )
    for (const secret of secretsOf(credentials)) expect(message).not.toContain(secret)
  })
})
