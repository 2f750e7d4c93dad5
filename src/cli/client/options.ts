/**
 * What the client commands (`login`, `logout`, `status`, `tools`, `call`, `proxy`) share: their
 * common flags, the server URL argument, the token store as the CLI opens it, and the mapping of
 * the OAuth client's errors to {@link CliError}s whose messages say what to fix. No token, client
 * secret or code ever reaches a message: the library errors are built without them, and anything
 * unexpected is reduced to its message by `run.ts`.
 */
import { AuthorizationError, ClientFetchError, DiscoveryError } from '../../auth/client/index.js'
import type { ClientFetchOptions } from '../../auth/client/index.js'
import {
  defaultCredentialsDir,
  openTokenStore,
  TokenStoreError,
} from '../../auth/client/store/index.js'
import type { TokenStore } from '../../auth/client/store/index.js'
import { readSecretLine } from '../read-secret-line.js'
import { CliError, EXIT } from '../exit-codes.js'
import type { CliEnv } from '../load.js'
import { ConnectionError } from './types.js'
import type { ConnectionMode } from './types.js'

/** Flags every client command that talks to a server accepts. */
export const NETWORK_FLAGS = {
  timeout: { type: 'string' },
  'dangerously-allow-http': { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const

/** Flags of the commands that may log in on their way (`login`, and the interactive ones). */
export const CLIENT_FLAGS = {
  'client-id': { type: 'string' },
  'client-secret-env': { type: 'string' },
  'client-secret-prompt': { type: 'boolean' },
  'client-metadata-url': { type: 'string' },
  'no-client-metadata': { type: 'boolean' },
} as const

/** Lines for the person at the terminal: always stderr, so stdout stays data (or JSON-RPC). */
export function printLine(line: string): void {
  process.stderr.write(`${line}\n`)
}

/**
 * Refuses `--client-secret` (and `--client-secret=…`) before parsing, with the reason: a secret
 * on the command line is visible in `ps` and kept in shell history. The value is never echoed.
 */
export function refuseSecretFlags(argv: readonly string[]): void {
  for (const arg of argv) {
    if (arg === '--') return
    if (/^--(client-secret|secret|token|access-token|refresh-token)(=|$)/.test(arg)) {
      const flag = arg.split('=')[0]
      throw new CliError(
        `${flag} is not accepted: a secret on the command line is visible to other users (ps) and stays in shell history. Put the client secret in an environment variable and pass its name with --client-secret-env NAME, or use --client-secret-prompt.`,
        EXIT.usage,
      )
    }
  }
}

/** The `<url>` positional: an absolute http(s) URL, nothing else. */
export function serverUrlArgument(
  command: string,
  positionals: readonly string[],
  extra = 0,
): string {
  const [url] = positionals
  if (url === undefined) {
    throw new CliError(
      `missing the MCP server URL: mcp-pa ${command} https://server.example/mcp`,
      EXIT.usage,
    )
  }
  if (positionals.length > 1 + extra) {
    throw new CliError(
      `unexpected argument "${positionals[1 + extra]}". Run "mcp-pa ${command} --help".`,
      EXIT.usage,
    )
  }
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    throw new CliError(
      `"${url}" is not an http(s) URL; give the MCP endpoint, e.g. https://server.example/mcp`,
      EXIT.usage,
    )
  }
  const parsed = new URL(url)
  if (parsed.username !== '' || parsed.password !== '') {
    throw new CliError(
      'the server URL must not contain a user name or password; mcp-pa logs in with OAuth instead',
      EXIT.usage,
    )
  }
  return url
}

/** `--timeout SECONDS` and `--dangerously-allow-http` as the OAuth client's request options. */
export function fetchOptionsFrom(values: {
  timeout?: string | undefined
  'dangerously-allow-http'?: boolean | undefined
}): ClientFetchOptions {
  const options: { timeoutMs?: number; dangerouslyAllowHttp?: boolean } = {}
  if (values.timeout !== undefined) {
    const seconds = Number(values.timeout)
    if (!/^\d+(\.\d+)?$/.test(values.timeout) || seconds < 1 || seconds > 120) {
      throw new CliError(
        `--timeout must be a number of seconds between 1 and 120 (got "${values.timeout}")`,
        EXIT.usage,
      )
    }
    options.timeoutMs = Math.round(seconds * 1000)
  }
  if (values['dangerously-allow-http'] === true) {
    options.dangerouslyAllowHttp = true
    printLine(
      'mcp-pa: warning: --dangerously-allow-http sends tokens over plain HTTP to non-loopback hosts; anyone on the path can read and reuse them.',
    )
  }
  return options
}

/** `--no-browser` → print the URL, `--headless` → follow the redirects, else open a browser. */
export function loginModeFrom(values: {
  'no-browser'?: boolean | undefined
  headless?: boolean | undefined
}): 'browser' | 'print' | 'headless' {
  if (values['no-browser'] === true && values.headless === true) {
    throw new CliError('choose one of --no-browser and --headless', EXIT.usage)
  }
  if (values.headless === true) return 'headless'
  if (values['no-browser'] === true) return 'print'
  return 'browser'
}

/** `tools` and `call`: log in through a browser only when a person is at the terminal. */
export function interactiveMode(): ConnectionMode {
  return process.stdin.isTTY === true ? 'browser' : 'never'
}

/**
 * Pre-registered client credentials from `--client-id` with the secret from the environment
 * variable `--client-secret-env` names, or typed at `--client-secret-prompt`; never a flag value.
 */
export async function preRegisteredFrom(
  values: {
    'client-id'?: string | undefined
    'client-secret-env'?: string | undefined
    'client-secret-prompt'?: boolean | undefined
  },
  env: CliEnv,
): Promise<{ clientId: string; clientSecret?: string } | undefined> {
  const clientId = values['client-id']
  const secretEnv = values['client-secret-env']
  const prompt = values['client-secret-prompt'] === true
  if (clientId === undefined) {
    if (secretEnv !== undefined || prompt) {
      throw new CliError(
        'a client secret needs its client: add --client-id ID (from your registration at the authorization server)',
        EXIT.usage,
      )
    }
    return undefined
  }
  if (clientId.trim() === '') throw new CliError('--client-id must not be empty', EXIT.usage)
  if (secretEnv !== undefined && prompt) {
    throw new CliError('choose one of --client-secret-env and --client-secret-prompt', EXIT.usage)
  }
  if (secretEnv !== undefined) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(secretEnv)) {
      throw new CliError(
        '--client-secret-env takes the NAME of an environment variable (e.g. MY_CLIENT_SECRET), not the secret itself',
        EXIT.usage,
      )
    }
    const value = env.vars[secretEnv] ?? ''
    if (value.length === 0) {
      throw new CliError(
        `the environment variable ${secretEnv} (from --client-secret-env) is not set or empty; export it with the client secret`,
        EXIT.usage,
      )
    }
    return { clientId, clientSecret: value }
  }
  if (prompt) {
    const typed = await readSecretLine(`Client secret for ${clientId}: `)
    if (typed.length === 0) throw new CliError('no client secret was entered', EXIT.usage)
    return { clientId, clientSecret: typed }
  }
  return { clientId }
}

/** `--client-metadata-url URL` or `--no-client-metadata` (then DCR is used). */
export function clientMetadataUrlFrom(values: {
  'client-metadata-url'?: string | undefined
  'no-client-metadata'?: boolean | undefined
}): string | false | undefined {
  const url = values['client-metadata-url']
  if (values['no-client-metadata'] === true) {
    if (url !== undefined) {
      throw new CliError('choose one of --client-metadata-url and --no-client-metadata', EXIT.usage)
    }
    return false
  }
  return url
}

/** `--scope S` (repeatable; each may hold several space-separated scopes). */
export function scopesFrom(values: { scope?: string[] | undefined }): string[] | undefined {
  const scopes = (values.scope ?? []).flatMap((s) => s.split(/\s+/)).filter((s) => s !== '')
  if (values.scope !== undefined && scopes.length === 0) {
    throw new CliError('--scope needs a scope name, e.g. --scope memories:read', EXIT.usage)
  }
  return scopes.length === 0 ? undefined : [...new Set(scopes)]
}

/**
 * The token store: the OS keychain, else the encrypted file under
 * `~/.config/mcp-pa/credentials` with a one-time warning on stderr.
 */
export async function openClientStore(env: CliEnv): Promise<TokenStore> {
  try {
    return await openTokenStore({
      dir: defaultCredentialsDir(env.home),
      onWarning: (message) => printLine(`mcp-pa: ${message}`),
    })
  } catch (error) {
    throw asCliError(error)
  }
}

/**
 * The OAuth client's errors as a {@link CliError} (exit 1) with their message, which is written
 * for the user and holds no secret; anything else is returned unchanged for `run.ts`.
 */
export function asCliError(error: unknown): unknown {
  if (error instanceof CliError) return error
  if (
    error instanceof AuthorizationError ||
    error instanceof DiscoveryError ||
    error instanceof ClientFetchError ||
    error instanceof TokenStoreError ||
    error instanceof ConnectionError
  ) {
    return new CliError(error.message, EXIT.failure)
  }
  return error
}

/** Runs `fn`, turning the OAuth client's errors into {@link CliError}s. */
export async function cliErrors<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn()
  } catch (error) {
    throw asCliError(error)
  }
}

/** A time in seconds since the epoch, as "2026-11-23 16:24 UTC (in 58 min)". */
export function describeExpiry(expiresAt: number, now = Date.now() / 1000): string {
  const when = new Date(expiresAt * 1000).toISOString().replace('T', ' ').slice(0, 16) + ' UTC'
  const left = Math.round(expiresAt - now)
  if (left <= 0) return `${when} (expired)`
  if (left < 120) return `${when} (in ${left} s)`
  if (left < 7200) return `${when} (in ${Math.round(left / 60)} min)`
  if (left < 172_800) return `${when} (in ${Math.round(left / 3600)} h)`
  return `${when} (in ${Math.round(left / 86_400)} days)`
}
