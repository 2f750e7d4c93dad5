import { constants, type Stats } from 'node:fs'
import { link, mkdir, open, rename, stat, unlink } from 'node:fs/promises'
import { dirname } from 'node:path'
import { randomToken } from '../../protocol/index.js'
import { TokenStoreError } from './errors.js'

/**
 * Private files for the credentials directory: 0700 directories, 0600 files owned by the current
 * user, written atomically (temp file + fsync + rename + directory fsync). POSIX permission bits
 * mean nothing on Windows, where the checks are skipped (the user profile's ACLs apply).
 */

const POSIX = process.platform !== 'win32'
const NOFOLLOW = constants.O_NOFOLLOW ?? 0

export function errno(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code
}

/** Throws `insecure_permissions` (with the chmod/chown that fixes it) unless `info` is private. */
export function checkPrivate(path: string, info: Stats, kind: 'directory' | 'file'): void {
  const isKind = kind === 'directory' ? info.isDirectory() : info.isFile()
  if (!isKind) {
    throw new TokenStoreError('insecure_permissions', `${path} is not a regular ${kind}`)
  }
  if (!POSIX) return
  const uid = process.getuid?.()
  if (uid !== undefined && info.uid !== uid) {
    throw new TokenStoreError(
      'insecure_permissions',
      `${path} belongs to another user (uid ${info.uid}); refusing to use it. ` +
        `Fix: chown ${uid} ${path}, or remove it`,
    )
  }
  const loose = info.mode & 0o077
  if (loose !== 0) {
    const want = kind === 'directory' ? '700' : '600'
    throw new TokenStoreError(
      'insecure_permissions',
      `${path} is accessible by other users (mode ${(info.mode & 0o777).toString(8)}); ` +
        `refusing to use it. Fix: chmod ${want} ${path}`,
    )
  }
}

/** Creates `dir` (0700, parents too) if needed, then refuses it unless it is private. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  await mkdir(dir, { recursive: true, mode: 0o700 })
  checkPrivate(dir, await stat(dir), 'directory')
}

/**
 * Reads a private file without following symlinks and checks its permissions on the open
 * descriptor (no window between the check and the read). Undefined when it does not exist.
 */
export async function readPrivateFile(path: string): Promise<Buffer | undefined> {
  let handle
  try {
    handle = await open(path, constants.O_RDONLY | NOFOLLOW)
  } catch (error) {
    if (errno(error) === 'ENOENT') return undefined
    if (errno(error) === 'ELOOP') {
      throw new TokenStoreError('insecure_permissions', `${path} is a symbolic link; refusing it`)
    }
    throw error
  }
  try {
    checkPrivate(path, await handle.stat(), 'file')
    return await handle.readFile()
  } finally {
    await handle.close()
  }
}

/** fsync a directory so a rename or unlink in it is durable (not possible on Windows). */
export async function fsyncDir(dir: string): Promise<void> {
  if (!POSIX) return
  const handle = await open(dir, constants.O_RDONLY)
  try {
    await handle.sync()
  } finally {
    await handle.close()
  }
}

/** Writes `data` to a new 0600 temp file beside `path` and fsyncs it; returns the temp path. */
async function writeTemp(path: string, data: string | Uint8Array): Promise<string> {
  const temp = `${path}.${randomToken(16)}.tmp`
  const handle = await open(temp, 'wx', 0o600)
  try {
    await handle.writeFile(data)
    await handle.sync()
  } catch (error) {
    await handle.close()
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await handle.close()
  return temp
}

/**
 * Replaces `path` atomically: readers see the old content or the new, never a partial file, and
 * the new content is on disk when this resolves.
 */
export async function atomicWrite(path: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTemp(path, data)
  try {
    await rename(temp, path)
  } catch (error) {
    await unlink(temp).catch(() => undefined)
    throw error
  }
  await fsyncDir(dirname(path))
}

/**
 * Creates `path` with `data` only if it does not exist (throws EEXIST otherwise). The content is
 * complete from the first moment the name exists: written to a temp file, then hard-linked.
 */
export async function createExclusive(path: string, data: string | Uint8Array): Promise<void> {
  const temp = await writeTemp(path, data)
  try {
    await link(temp, path)
  } catch (error) {
    const code = errno(error)
    if (code === 'EEXIST' || (code !== 'EPERM' && code !== 'ENOTSUP' && code !== 'ENOSYS')) {
      throw error
    }
    // No hard links on this file system: exclusive create, then write.
    const handle = await open(path, 'wx', 0o600)
    try {
      await handle.writeFile(data)
      await handle.sync()
    } finally {
      await handle.close()
    }
  } finally {
    await unlink(temp).catch(() => undefined)
  }
  await fsyncDir(dirname(path))
}

/** Removes `path`; false when it did not exist. */
export async function removeFile(path: string): Promise<boolean> {
  try {
    await unlink(path)
  } catch (error) {
    if (errno(error) === 'ENOENT') return false
    throw error
  }
  await fsyncDir(dirname(path))
  return true
}
