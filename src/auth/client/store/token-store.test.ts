import { mkdir, mkdtemp, readdir, rm, stat, utimes, writeFile } from 'node:fs/promises'
import { hostname, tmpdir } from 'node:os'
import { join } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { randomToken } from '../../protocol/index.js'
import { deadPid } from './child-process-test-support.js'
import {
  errorOf,
  freshCredentials,
  ISSUER_A,
  RESOURCE_1,
  secretsOf,
} from './contract-test-support.js'
import { createFileBackend } from './file-store.js'
import { tokenId } from './records.js'
import { withFileLock } from './refresh-lock.js'
import { createTokenStore } from './token-store.js'
import type { TokenStoreBackend } from './types.js'

let dir: string
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'mcp-pa-token-store-'))
})
afterEach(() => rm(dir, { recursive: true, force: true }))

const a1 = { issuer: ISSUER_A, resource: RESOURCE_1 }
const lockDir = () => join(dir, 'locks')
const open = (lock = {}) =>
  createTokenStore(createFileBackend({ dir }), { lockDir: lockDir(), lock })

describe('rotate: the new refresh token is persisted before use', () => {
  it('stores the new pair and returns it only once it reads back', async () => {
    const store = open()
    await store.put(a1, freshCredentials({ account: 'alice' }))
    const next = freshCredentials()
    const stored = await store.rotate(a1, next)
    expect(stored).toEqual({ ...next, account: 'alice' })
    expect(await createFileBackend({ dir }).get(a1)).toEqual(stored)
  })

  it('keeps the previous refresh token when the response carried none (RFC 6749 §6, RT-5)', async () => {
    const store = open()
    const first = freshCredentials()
    await store.put(a1, first)
    const next = freshCredentials()
    delete next.refresh_token
    expect((await store.rotate(a1, next)).refresh_token).toBe(first.refresh_token)
    await store.delete(a1)
    expect((await store.rotate(a1, next)).refresh_token).toBeUndefined()
  })

  it('fails with not_persisted, naming no token, when the backend does not keep the write', async () => {
    const backend = createFileBackend({ dir })
    const forgetful: TokenStoreBackend = { ...backend, put: async () => undefined }
    const store = createTokenStore(forgetful, { lockDir: lockDir() })
    await backend.put(a1, freshCredentials())
    const next = freshCredentials()
    const error = await errorOf(store.rotate(a1, next))
    expect(error.code).toBe('not_persisted')
    expect(error.message).toBe(`${dir} did not keep the refreshed credentials; not using them`)
    for (const secret of secretsOf(next)) expect(error.message).not.toContain(secret)
  })
})

describe('withRefreshLock: single flight (in one process)', () => {
  it('runs callers one at a time and hands each the credentials re-read under the lock', async () => {
    const store = open({ pollMs: 5 })
    await store.put(a1, freshCredentials({ expires_at: 0 }))
    let inside = 0
    let refreshes = 0
    const results = await Promise.all(
      Array.from({ length: 6 }, () =>
        store.withRefreshLock(a1, async (current) => {
          inside++
          expect(inside).toBe(1)
          try {
            if (current !== undefined && current.expires_at > Date.now() / 1000) return 'reused'
            refreshes++
            await sleep(30)
            await store.rotate(a1, freshCredentials())
            return 'refreshed'
          } finally {
            inside--
          }
        }),
      ),
    )
    expect(refreshes).toBe(1)
    expect(results.sort()).toEqual(['refreshed', ...Array(5).fill('reused')].sort())
    expect(await readdir(lockDir())).toEqual([])
  })

  it('releases the lock when fn throws, and creates the lock directory 0700', async () => {
    const store = open()
    await expect(
      store.withRefreshLock(a1, async () => Promise.reject(new Error('network down'))),
    ).rejects.toThrow('network down')
    expect(await store.withRefreshLock(a1, async () => 'next')).toBe('next')
    if (process.platform !== 'win32') expect((await stat(lockDir())).mode & 0o777).toBe(0o700)
  })
})

describe('withFileLock: stale locks and bounded waits', () => {
  const lockPath = () => join(lockDir(), `${tokenId(a1)}.lock`)
  async function plant(holder: { pid: number; host?: string; ageMs?: number }) {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 })
    const created = Date.now() - (holder.ageMs ?? 0)
    const content = { pid: holder.pid, host: holder.host ?? hostname(), created_at: created }
    await writeFile(lockPath(), JSON.stringify({ ...content, nonce: randomToken(16) }), {
      mode: 0o600,
    })
  }

  it('times out with a clear error while a live process holds a fresh lock', async () => {
    await plant({ pid: process.pid })
    const started = Date.now()
    const error = await errorOf(
      withFileLock(lockPath(), async () => 'never', { timeoutMs: 300, pollMs: 10 }),
    )
    expect(Date.now() - started).toBeGreaterThanOrEqual(300)
    expect(Date.now() - started).toBeLessThan(5000)
    expect(error.code).toBe('lock_timeout')
    expect(error.message).toMatch(
      new RegExp(
        `^timed out after 0 s waiting for the token refresh lock ${lockPath()}, held by process ` +
          `${process.pid} on ${hostname()} since .+Z\\. If no other mcp-pa process is running, ` +
          `remove ${lockPath()}$`,
      ),
    )
  })

  it('breaks the lock of a process that is gone, at once', async () => {
    await plant({ pid: await deadPid() })
    expect(await withFileLock(lockPath(), async () => 'ran', { timeoutMs: 2000 })).toBe('ran')
  })

  it('breaks a lock older than staleMs even if its process lives', async () => {
    await plant({ pid: process.pid, ageMs: 5000 })
    expect(await withFileLock(lockPath(), async () => 'ran', { staleMs: 1000 })).toBe('ran')
  })

  it('does not judge a fresh lock of another host by PID', async () => {
    await plant({ pid: await deadPid(), host: `not-${hostname()}` })
    await expect(withFileLock(lockPath(), async () => 'x', { timeoutMs: 200 })).rejects.toThrow(
      /timed out/,
    )
  })

  it('breaks an unreadable lock only once its file is older than staleMs', async () => {
    await mkdir(lockDir(), { recursive: true, mode: 0o700 })
    await writeFile(lockPath(), '', { mode: 0o600 })
    await expect(
      withFileLock(lockPath(), async () => 'x', { timeoutMs: 200, staleMs: 60_000 }),
    ).rejects.toThrow(/held by another process/)
    const old = new Date(Date.now() - 120_000)
    await utimes(lockPath(), old, old)
    expect(await withFileLock(lockPath(), async () => 'ran', { staleMs: 60_000 })).toBe('ran')
  })
})
