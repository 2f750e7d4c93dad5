import { randomInt } from 'node:crypto'
import { stat } from 'node:fs/promises'
import { hostname } from 'node:os'
import { dirname } from 'node:path'
import { setTimeout as sleep } from 'node:timers/promises'
import { randomToken } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'
import {
  createExclusive,
  ensurePrivateDir,
  errno,
  readPrivateFile,
  removeFile,
} from './secure-fs.js'

/**
 * A cross-process mutex on a lock file, for single-flight token refresh (issue 5, item 5): the
 * lock file is created exclusively, already holding `{ pid, host, created_at, nonce }`. A
 * waiter polls (with jitter) until the holder removes it. A lock is stale when its holder ran on
 * this host and its process is gone, or when it is older than `staleMs` (a hung or remote
 * holder). Breaking a stale lock happens under a second, short-lived guard file and only if the
 * lock still has the holder that was judged stale, so two waiters never break a fresh lock.
 */

export interface LockOptions {
  /** How long to wait for another holder before failing with `lock_timeout` (default 60 s). */
  timeoutMs?: number
  /**
   * Age after which a lock is broken even though its process may live (default 120 s). Keep it
   * above the longest refresh (requests have their own timeouts): breaking a live holder's lock
   * would let two refreshes race.
   */
  staleMs?: number
  /** Mean polling interval (default 50 ms, jittered ±50 %). */
  pollMs?: number
}

interface LockInfo {
  pid: number
  host: string
  created_at: number
  nonce: string
}

interface Seen {
  info: LockInfo | undefined
  mtimeMs: number
}

const GUARD_STALE_MS = 10_000

async function inspect(path: string): Promise<Seen | undefined> {
  try {
    const data = await readPrivateFile(path)
    if (data === undefined) return undefined
    const { mtimeMs } = await stat(path)
    let info: LockInfo | undefined
    try {
      const value = JSON.parse(data.toString('utf8')) as Partial<LockInfo>
      if (typeof value.pid === 'number' && typeof value.nonce === 'string') info = value as LockInfo
    } catch {
      info = undefined
    }
    return { info, mtimeMs }
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    throw error
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0)
    return true
  } catch (error) {
    return errno(error) === 'EPERM'
  }
}

function isStale(seen: Seen, staleMs: number): boolean {
  const { info } = seen
  if (info !== undefined && info.host === hostname() && !processAlive(info.pid)) return true
  return Date.now() - (info?.created_at ?? seen.mtimeMs) > staleMs
}

function sameHolder(a: Seen, b: Seen): boolean {
  if (a.info !== undefined && b.info !== undefined) return a.info.nonce === b.info.nonce
  return a.info === undefined && b.info === undefined && a.mtimeMs === b.mtimeMs
}

/** Removes the lock if it still has the holder judged stale; false if another breaker is busy. */
async function breakStale(path: string, judged: Seen): Promise<boolean> {
  const guard = `${path}.break`
  try {
    await createExclusive(guard, String(process.pid))
  } catch (error) {
    if (errno(error) !== 'EEXIST') throw error
    const guardSeen = await inspect(guard)
    if (guardSeen !== undefined && Date.now() - guardSeen.mtimeMs > GUARD_STALE_MS) {
      await removeFile(guard).catch(() => false)
    }
    return false
  }
  try {
    const now = await inspect(path)
    if (now !== undefined && sameHolder(now, judged)) await removeFile(path)
    return true
  } finally {
    await removeFile(guard).catch(() => false)
  }
}

function timeoutError(path: string, seen: Seen | undefined, waitedMs: number): TokenStoreError {
  const holder = seen?.info
    ? `process ${seen.info.pid} on ${seen.info.host} since ${new Date(seen.info.created_at).toISOString()}`
    : 'another process'
  return new TokenStoreError(
    'lock_timeout',
    `timed out after ${Math.round(waitedMs / 1000)} s waiting for the token refresh lock ${path}, ` +
      `held by ${holder}. If no other mcp-pa process is running, remove ${path}`,
  )
}

/**
 * Runs `fn` while holding the lock file `path` (its directory is created 0700). Other callers,
 * in this process or another, wait; the lock is released when `fn` settles.
 */
export async function withFileLock<T>(
  path: string,
  fn: () => Promise<T>,
  options: LockOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 60_000
  const staleMs = options.staleMs ?? 120_000
  const pollMs = Math.max(2, options.pollMs ?? 50)
  await ensurePrivateDir(dirname(path))
  const mine: LockInfo = {
    pid: process.pid,
    host: hostname(),
    created_at: Date.now(),
    nonce: randomToken(16),
  }
  const started = Date.now()
  for (;;) {
    mine.created_at = Date.now()
    try {
      await createExclusive(path, JSON.stringify(mine))
      break
    } catch (error) {
      if (errno(error) !== 'EEXIST') throw error
    }
    const seen = await inspect(path)
    if (seen === undefined) continue // released between our attempt and the look
    if (isStale(seen, staleMs) && (await breakStale(path, seen))) continue
    if (Date.now() - started >= timeoutMs) throw timeoutError(path, seen, Date.now() - started)
    await sleep(randomInt(Math.ceil(pollMs / 2), Math.ceil(pollMs * 1.5) + 1))
  }
  try {
    return await fn()
  } finally {
    const seen = await inspect(path).catch(() => undefined)
    if (seen?.info?.nonce === mine.nonce) await removeFile(path)
  }
}
