import { createLogger, loggerAuditSink } from '../audit/index.js'
import type { AuditSink, Logger } from '../audit/index.js'
import { isAdminError } from '../auth/server/admin/index.js'
import { KeyEncryptionError } from '../auth/server/keys.js'
import type { Config } from '../config/index.js'
import type { Storage } from '../storage/ports.js'
import type { parseFlags } from './args.js'
import { openStorage } from './compose.js'
import { CliError, EXIT } from './exit-codes.js'
import { loadEffectiveConfig } from './load.js'
import { readSecretLine } from './read-secret-line.js'
import type { CliEnv } from './load.js'

// Shared by `mcp-pa users|clients|grants|keys`: subcommand dispatch, the configured storage
// with an audit sink, error mapping, password input and plain-text tables.

type Options = Parameters<typeof parseFlags>[2]

/** Flags every administration subcommand takes. */
export const ADMIN_FLAGS = {
  config: { type: 'string', short: 'c' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options

type Subcommand = (argv: string[], env: CliEnv) => Promise<number>

/**
 * `mcp-pa <group> <sub> …`: runs the subcommand, prints the group's help for none, `--help`
 * or `help`, and names the valid subcommands for an unknown one.
 */
export async function dispatch(
  group: string,
  help: string,
  subcommands: Record<string, Subcommand>,
  argv: string[],
  env: CliEnv,
): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h' || sub === 'help') {
    console.log(help)
    return sub === undefined ? EXIT.usage : EXIT.ok
  }
  const run = Object.hasOwn(subcommands, sub) ? subcommands[sub] : undefined
  if (run === undefined) {
    throw new CliError(
      `unknown subcommand "${group} ${sub}": use one of ${Object.keys(subcommands).join(', ')} (mcp-pa ${group} --help)`,
      EXIT.usage,
    )
  }
  return run(rest, env)
}

/** Exactly `names.length` positional arguments, else a usage error naming what is missing. */
export function positionals(command: string, given: string[], names: string[]): string[] {
  if (given.length < names.length) {
    throw new CliError(
      `missing ${names.slice(given.length).join(' ')}. Run "mcp-pa ${command} --help".`,
      EXIT.usage,
    )
  }
  if (given.length > names.length) {
    throw new CliError(
      `unexpected argument "${given[names.length]}". Run "mcp-pa ${command} --help".`,
      EXIT.usage,
    )
  }
  return given
}

export interface AdminSession {
  config: Config
  storage: Storage
  audit: AuditSink
  logger: Logger
}

/**
 * Opens the configured database (SQLite by default, PostgreSQL through MCP_DATABASE_URL …) with
 * an audit sink on stderr, runs `work`, and closes it. Admin errors become CLI errors.
 */
export async function withAdminSession<T>(
  configPath: string | undefined,
  env: CliEnv,
  work: (session: AdminSession) => Promise<T>,
): Promise<T> {
  const { config, warnings } = await loadEffectiveConfig(configPath, env)
  const logger = createLogger({ level: config.logging.level })
  for (const warning of warnings) logger.warn(warning)
  const storage = await openStorage(config, env.vars, logger)
  try {
    return await work({ config, storage, audit: loggerAuditSink(logger), logger })
  } catch (error) {
    throw cliError(error)
  } finally {
    await storage.close()
  }
}

/** Admin refusals keep their message: bad input is a usage error, the rest a failure. */
function cliError(error: unknown): unknown {
  if (isAdminError(error)) {
    return new CliError(error.message, error.code === 'invalid_input' ? EXIT.usage : EXIT.failure)
  }
  if (error instanceof KeyEncryptionError) return new CliError(error.message, EXIT.config)
  return error
}

/** Refuses a password given as a flag (visible to other users in `ps`, kept in shell history). */
export function refusePasswordFlags(argv: string[]): void {
  const flag = argv.find((arg) => /^--(password|pass|pw)(=|$)/.test(arg))
  if (flag !== undefined) {
    throw new CliError(
      `${flag.split('=')[0]} is not accepted: a password on the command line is visible to other users and stays in shell history. Type it at the prompt, pipe it on stdin (first line), or use --generate.`,
      EXIT.usage,
    )
  }
}

/**
 * A new password: at a terminal typed twice without echo; otherwise the first line of stdin
 * (so `printf '%s\n' "$PW" | mcp-pa users add alice` works). Never from argv.
 */
export async function readNewPassword(username: string): Promise<string> {
  if (process.stdin.isTTY !== true) {
    const line = await readSecretLine(undefined)
    if (line.length === 0) {
      throw new CliError(
        'no password on stdin: pipe it as the first line, run at a terminal to type it, or use --generate',
        EXIT.usage,
      )
    }
    return line
  }
  const first = await readSecretLine(`New password for ${username}: `)
  if (first.length === 0) throw new CliError('no password was entered', EXIT.usage)
  const second = await readSecretLine('Repeat the password: ')
  if (second !== first) {
    throw new CliError('the two passwords differ; nothing was changed', EXIT.usage)
  }
  return first
}

/** `--limit N`: 1-1000. */
export function limitFrom(value: string | undefined): number | undefined {
  if (value === undefined) return undefined
  const limit = Number(value)
  if (!/^\d+$/.test(value) || limit < 1 || limit > 1000) {
    throw new CliError(`--limit must be a whole number from 1 to 1000, got "${value}"`, EXIT.usage)
  }
  return limit
}

/** A time for tables: `2026-11-23 14:05:09Z`, or `-` when there is none. */
export function formatTime(ms: number | undefined): string {
  if (ms === undefined) return '-'
  return new Date(ms)
    .toISOString()
    .replace('T', ' ')
    .replace(/\.\d{3}Z$/, 'Z')
}

/** A time for JSON output: ISO 8601, or null. */
export const isoTime = (ms: number | undefined): string | null =>
  ms === undefined ? null : new Date(ms).toISOString()

/** Prints rows under headers, columns padded to their widest cell (two spaces apart). */
export function printTable(headers: string[], rows: string[][]): void {
  const widths = headers.map((header, i) =>
    Math.max(header.length, ...rows.map((row) => (row[i] ?? '').length)),
  )
  const line = (cells: string[]) =>
    cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0))).join('  ')
  console.log([line(headers), ...rows.map(line)].join('\n'))
}

export const printJson = (value: unknown): void => console.log(JSON.stringify(value, null, 2))

/** How one admin listing prints: JSON objects, or a table, or a hint when there is nothing. */
export interface Listing<T> {
  json: boolean | undefined
  toJson: (item: T) => unknown
  /** What to print when the list is empty (table output only; JSON prints `[]`). */
  empty: string
  headers: string[]
  toRow: (item: T) => string[]
}

/** Prints `items` as `listing` says (`users`, `clients`, `grants` and `keys list`); EXIT.ok. */
export function printListing<T>(items: readonly T[], listing: Listing<T>): number {
  if (listing.json === true) printJson(items.map(listing.toJson))
  else if (items.length === 0) console.log(listing.empty)
  else printTable(listing.headers, items.map(listing.toRow))
  return EXIT.ok
}
