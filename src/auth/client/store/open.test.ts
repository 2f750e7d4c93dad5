/**
 * Choosing the backend. The real `import('@napi-rs/keyring')` runs once (it is not installed
 * here, so it must fail cleanly); the keychain-present paths use the in-memory `Entry`
 * stand-in (memory-keyring-test-support.ts) ONLY because no real keychain exists on this
 * machine — see the header of keychain-store.test.ts.
 */
import { mkdtemp, readdir, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { freshCredentials, ISSUER_A, RESOURCE_1 } from './contract-test-support.js'
import { loadKeyring } from './keyring.js'
import { memoryKeyring } from './memory-keyring-test-support.js'
import { defaultCredentialsDir, FALLBACK_MARKER, openTokenStore } from './open.js'

let dir: string
beforeEach(async () => {
  dir = join(await mkdtemp(join(tmpdir(), 'mcp-pa-open-')), 'credentials')
})
afterEach(() => rm(join(dir, '..'), { recursive: true, force: true }))

const a1 = { issuer: ISSUER_A, resource: RESOURCE_1 }
const NOT_INSTALLED = 'the optional package @napi-rs/keyring is not installed'
const NO_SERVICE =
  'no keychain service answered (macOS Keychain, Secret Service on Linux, Windows Credential Manager)'

describe('loadKeyring', () => {
  it('reports the optional peer as not installed on this machine (the real dynamic import)', async () => {
    expect(await loadKeyring()).toEqual({ ok: false, reason: NOT_INSTALLED })
  })

  it.each([
    ['a module without Entry', async () => ({})],
    ['an import that throws', async () => Promise.reject(new Error('Cannot find package'))],
  ])('treats %s as not installed', async (_, load) => {
    expect(await loadKeyring(load)).toEqual({ ok: false, reason: NOT_INSTALLED })
  })

  it('says no service answered when the probe entry cannot be written', async () => {
    const { module } = memoryKeyring({ broken: true })
    expect(await loadKeyring(async () => module)).toEqual({ ok: false, reason: NO_SERVICE })
  })

  it('accepts a working keychain and leaves no probe entry behind', async () => {
    const memory = memoryKeyring()
    const probe = await loadKeyring(async () => ({ default: memory.module }))
    expect(probe.ok).toBe(true)
    expect(memory.entries.size).toBe(0)
  })
})

describe('openTokenStore', () => {
  it('defaults to ~/.config/mcp-pa/credentials', () => {
    expect(defaultCredentialsDir('/home/u')).toBe('/home/u/.config/mcp-pa/credentials')
  })

  it('uses the keychain when it loads and answers, without a warning', async () => {
    const memory = memoryKeyring()
    const warnings: string[] = []
    const store = await openTokenStore({
      dir,
      loadKeyringModule: async () => memory.module,
      onWarning: (m) => warnings.push(m),
    })
    expect(store.kind).toBe('keychain')
    expect(store.location).toBe('the OS keychain (service "mcp-pa")')
    const credentials = freshCredentials()
    await store.put(a1, credentials)
    expect(await store.get(a1)).toEqual(credentials)
    expect(warnings).toEqual([])
    // Only lock files live on disk; no credential file.
    expect((await readdir(dir)).filter((n) => n !== 'locks')).toEqual([])
  })

  it('falls back to the encrypted file and warns once per machine (marker file)', async () => {
    const warnings: string[] = []
    const onWarning = (m: string) => warnings.push(m)
    const load = async () => memoryKeyring({ broken: true }).module
    const first = await openTokenStore({ dir, loadKeyringModule: load, onWarning })
    expect(first.kind).toBe('file')
    expect(first.location).toBe(dir)
    await openTokenStore({ dir, loadKeyringModule: load, onWarning })
    await openTokenStore({ dir, onWarning }) // real import: not installed
    expect(warnings).toEqual([
      `No OS keychain is available: ${NO_SERVICE}. mcp-pa keeps OAuth tokens in ${dir} instead, ` +
        `encrypted (AES-256-GCM) in files only you can read, with the key in ${join(dir, 'key')}. ` +
        'This guards against accidental disclosure (backups, sync folders, cat), not against ' +
        'other programs running as you. To use the OS keychain, install @napi-rs/keyring and ' +
        'run a keychain service. This message is shown once.',
    ])
    if (process.platform !== 'win32') {
      expect((await stat(join(dir, FALLBACK_MARKER))).mode & 0o777).toBe(0o600)
    }
  })

  it('marks nothing when no one listens, so a later caller with a callback is told', async () => {
    await openTokenStore({ dir })
    const warnings: string[] = []
    await openTokenStore({ dir, onWarning: (m) => warnings.push(m) })
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain(NOT_INSTALLED)
  })

  it('preferKeychain: false uses the file backend without probing or warning', async () => {
    let probed = false
    const warnings: string[] = []
    const store = await openTokenStore({
      dir,
      preferKeychain: false,
      loadKeyringModule: async () => {
        probed = true
        return memoryKeyring().module
      },
      onWarning: (m) => warnings.push(m),
    })
    expect(store.kind).toBe('file')
    expect(probed).toBe(false)
    expect(warnings).toEqual([])
  })
})
