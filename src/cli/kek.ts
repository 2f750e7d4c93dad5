import { randomBytes } from 'node:crypto'
import { chmod, mkdir, readFile, stat, writeFile } from 'node:fs/promises'
import { dirname, join } from 'node:path'
import type { Logger } from '../audit/index.js'
// Straight from its module rather than the auth/server barrel: `mcp-pa keys` needs the KEK
// without loading the authorization server engine (and its Node 20 runtime warning).
import {
  keyEncryptionKey,
  KeyEncryptionError,
  type KeyEncryptionKey,
} from '../auth/server/key-encryption.js'
import { resolveSecret, type Config } from '../config/index.js'
import { expandHome } from '../config/paths.js'
import { CliError, EXIT } from './exit-codes.js'

type Env = Record<string, string | undefined>

const KEK_KEY = 'authentication.authorization_server.key_encryption_key'

/**
 * The key-encryption key: from its secret reference, or — for SQLite only — a key generated on
 * first start into `oauth-kek` beside the database file (0600), so a single-node server works out
 * of the box. PostgreSQL deployments share keys between instances, so there it must be configured.
 */
export async function loadKek(
  config: Config,
  env: Env,
  home: string,
  logger: Logger,
): Promise<KeyEncryptionKey> {
  const ref = config.authentication.authorization_server.key_encryption_key
  try {
    if (ref !== undefined) return keyEncryptionKey(await resolveSecret(ref, { env }), KEK_KEY)
  } catch (error) {
    if (error instanceof KeyEncryptionError) throw new CliError(error.message, EXIT.config)
    throw error
  }
  if (config.database.type !== 'sqlite') {
    throw new CliError(
      `${KEK_KEY} is required with PostgreSQL (every instance must share it): create one with \`openssl rand -base64 32\`, store it as a secret and set MCP_OAUTH_KEY_ENCRYPTION_KEY=env:NAME or file:/path`,
      EXIT.config,
    )
  }
  const dbPath = config.database.path
  if (dbPath === ':memory:') {
    logger.warn(
      'the in-memory database gets a new key-encryption key each start (tokens do not survive a restart)',
    )
    return keyEncryptionKey(randomBytes(32), KEK_KEY)
  }
  const file = join(dirname(expandHome(dbPath, home)), 'oauth-kek')
  let text: string | undefined
  try {
    const info = await stat(file)
    if ((info.mode & 0o077) !== 0) {
      throw new CliError(
        `${file} is readable by group or others: run chmod 600 ${file}`,
        EXIT.config,
      )
    }
    text = await readFile(file, 'utf8')
  } catch (error) {
    if (error instanceof CliError) throw error
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error
  }
  if (text === undefined) {
    text = randomBytes(32).toString('base64')
    await mkdir(dirname(file), { recursive: true, mode: 0o700 })
    await writeFile(file, `${text}\n`, { mode: 0o600, flag: 'wx' }).catch(
      async (error: NodeJS.ErrnoException) => {
        if (error.code !== 'EEXIST') throw error
        text = await readFile(file, 'utf8')
      },
    )
    await chmod(file, 0o600)
    logger.info({ file }, 'generated the key-encryption key of the authorization server')
  }
  try {
    return keyEncryptionKey(Buffer.from(text.trim(), 'base64'), `${KEK_KEY} (${file})`)
  } catch (error) {
    if (error instanceof KeyEncryptionError) throw new CliError(error.message, EXIT.config)
    throw error
  }
}
