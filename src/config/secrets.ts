/**
 * Resolves secret references to `Secret`s: `env:NAME`, `file:/abs/path` (refused when group or
 * others have any access) and `gcp-sm://projects/P/secrets/S[/versions/V]` (Google Secret
 * Manager through the optional `@google-cloud/secret-manager` package, cached with a TTL).
 * Errors are ConfigErrors that name the reference, never the value.
 */
import { readFile as fsReadFile, stat as fsStat } from 'node:fs/promises'
import { ConfigError } from './errors.js'
import { isPasswordlessPostgresUrl, parseSecretRef, SECRET_REF_FORMS } from './refs.js'
import { Secret } from './secret.js'

/** The slice of `SecretManagerServiceClient` we use. */
export interface GcpSecretClient {
  accessSecretVersion(request: {
    name: string
  }): Promise<readonly [{ payload?: { data?: Uint8Array | string | null } | null }, ...unknown[]]>
}

export type GcpClientFactory = () => GcpSecretClient | Promise<GcpSecretClient>

export interface ResolveSecretOptions {
  /** Where `env:` references are looked up (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** Reads a `file:` reference (default: node:fs, UTF-8). */
  readonly readFile?: (path: string) => Promise<string>
  /** Gives a `file:` reference's mode (default: node:fs stat). */
  readonly stat?: (path: string) => Promise<{ mode: number }>
  /** Makes the Secret Manager client (default: imports `@google-cloud/secret-manager`). */
  readonly gcpClientFactory?: GcpClientFactory
  /** Clock in milliseconds, for the cache (default `Date.now`). */
  readonly now?: () => number
  /** How long a Secret Manager value is reused, in seconds (default 300). */
  readonly ttlSeconds?: number
  /** The cache of Secret Manager values (default: one shared by the process). */
  readonly cache?: SecretCache
  /** The configuration key the reference came from, for error messages. */
  readonly field?: string
}

/** Secret Manager values by reference, each with an expiry time. */
export class SecretCache {
  readonly #entries = new Map<string, { expiresAt: number; value: Promise<Secret> }>()

  get(ref: string, now: number): Promise<Secret> | undefined {
    const entry = this.#entries.get(ref)
    if (entry !== undefined && entry.expiresAt > now) return entry.value
    this.#entries.delete(ref)
    return undefined
  }

  set(ref: string, value: Promise<Secret>, expiresAt: number): void {
    this.#entries.set(ref, { expiresAt, value })
  }

  /** Forgets a reference; with `value`, only while that is still the cached promise. */
  delete(ref: string, value?: Promise<Secret>): void {
    if (value === undefined || this.#entries.get(ref)?.value === value) this.#entries.delete(ref)
  }

  clear(): void {
    this.#entries.clear()
  }
}

const sharedCache = new SecretCache()
const GCP_PACKAGE = '@google-cloud/secret-manager'
export const DEFAULT_SECRET_TTL_SECONDS = 300

function fail(ref: string, field: string | undefined, problem: string, fix: string): never {
  throw new ConfigError([{ path: field ?? '', problem, fix }], ref)
}

async function fromFile(ref: string, path: string, options: ResolveSecretOptions): Promise<Secret> {
  const { field } = options
  try {
    const { mode } = await (options.stat ?? fsStat)(path)
    // Windows has no POSIX modes to check.
    if (process.platform !== 'win32' && (mode & 0o077) !== 0) {
      const octal = (mode & 0o777).toString(8).padStart(4, '0')
      fail(
        ref,
        field,
        `${path} is accessible by group or others (mode ${octal})`,
        `chmod 600 ${path}`,
      )
    }
    const text = await (options.readFile ?? ((p: string) => fsReadFile(p, 'utf8')))(path)
    return new Secret(text.replace(/\r?\n$/, ''))
  } catch (error) {
    if (error instanceof ConfigError) throw error
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT')
      fail(ref, field, `file not found: ${path}`, 'create it, or correct the path')
    fail(
      ref,
      field,
      `cannot read ${path} (${code ?? 'error'})`,
      'check the file and its permissions',
    )
  }
}

async function defaultGcpClient(): Promise<GcpSecretClient> {
  const name = GCP_PACKAGE
  const module = (await import(name)) as { SecretManagerServiceClient: new () => GcpSecretClient }
  return new module.SecretManagerServiceClient()
}

async function fromGcp(
  ref: string,
  resource: string,
  options: ResolveSecretOptions,
): Promise<Secret> {
  const { field } = options
  let client: GcpSecretClient
  try {
    client = await (options.gcpClientFactory ?? defaultGcpClient)()
  } catch {
    return fail(
      ref,
      field,
      `the optional package ${GCP_PACKAGE} is missing or failed to load`,
      `npm install ${GCP_PACKAGE} to use gcp-sm references`,
    )
  }
  let data: Uint8Array | string | null | undefined
  try {
    const [version] = await client.accessSecretVersion({ name: resource })
    data = version.payload?.data
  } catch (error) {
    const reason = error instanceof Error ? error.message : 'unknown error'
    return fail(
      ref,
      field,
      `Secret Manager refused ${resource}: ${reason}`,
      'check the project and secret names, and that the service account has roles/secretmanager.secretAccessor',
    )
  }
  if (data === null || data === undefined) {
    return fail(
      ref,
      field,
      `Secret Manager returned no payload for ${resource}`,
      'add a version with a value',
    )
  }
  return new Secret(typeof data === 'string' ? data : Buffer.from(data).toString('utf8'))
}

/** Resolves one secret reference (or a PostgreSQL URL without a password) to a Secret. */
export async function resolveSecret(ref: string, options: ResolveSecretOptions): Promise<Secret> {
  const parsed = parseSecretRef(ref)
  if (parsed === undefined) {
    if (isPasswordlessPostgresUrl(ref)) return new Secret(ref)
    fail(
      '(secret value)',
      options.field,
      'not a secret reference',
      `use one of ${SECRET_REF_FORMS}`,
    )
  }
  switch (parsed.kind) {
    case 'env': {
      const value = options.env[parsed.name]
      if (value === undefined || value === '') {
        fail(
          ref,
          options.field,
          `environment variable ${parsed.name} is not set`,
          `set ${parsed.name}`,
        )
      }
      return new Secret(value)
    }
    case 'file':
      return fromFile(ref, parsed.path, options)
    case 'gcp-sm': {
      const cache = options.cache ?? sharedCache
      const now = (options.now ?? Date.now)()
      const cached = cache.get(ref, now)
      if (cached !== undefined) return cached
      const pending = fromGcp(ref, parsed.resource, options)
      const ttl = (options.ttlSeconds ?? DEFAULT_SECRET_TTL_SECONDS) * 1000
      cache.set(ref, pending, now + ttl)
      // A failure is not cached: the next call tries again.
      pending.catch(() => cache.delete(ref, pending))
      return pending
    }
  }
}
