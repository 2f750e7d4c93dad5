import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs'
import { dirname, relative, resolve, sep } from 'node:path'

const PRIVATE_DIR = 0o700
const PRIVATE_FILE = 0o600

/**
 * Makes sure the database file can be created privately: missing parent directories are
 * created 0700 (and chmod-ed, since the umask may have narrowed the mode), an existing parent
 * is left as it is, and a new database file is created 0600 before SQLite opens it.
 */
export function prepareDatabaseFile(path: string): void {
  const file = resolve(path)
  const dir = dirname(file)
  const firstCreated = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR })
  if (firstCreated !== undefined) {
    // mkdir -p created `firstCreated` and everything below it down to `dir`: all ours.
    let current = firstCreated
    chmodSync(current, PRIVATE_DIR)
    for (const part of relative(firstCreated, dir).split(sep).filter(Boolean)) {
      current = resolve(current, part)
      chmodSync(current, PRIVATE_DIR)
    }
  }
  if (!existsSync(file)) closeSync(openSync(file, 'a', PRIVATE_FILE))
}

/** chmod 0600 the database and, when present, its WAL and shared-memory files. */
export function tightenDatabaseFiles(path: string): void {
  const file = resolve(path)
  for (const candidate of [file, `${file}-wal`, `${file}-shm`]) {
    if (existsSync(candidate)) chmodSync(candidate, PRIVATE_FILE)
  }
}
