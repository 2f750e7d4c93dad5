/**
 * The `MCP_*` environment variables, as data: which key each one sets and how its text becomes
 * a value. The loader applies them over the file; the docs print this same table.
 */
import { resolve } from 'node:path'
import type { ConfigIssue } from './errors.js'
import { expandHome } from './paths.js'
import { isPostgresUrl, isRedisUrl, isSecretRef, urlHasPassword } from './refs.js'

/** How a variable's text is read. */
export type EnvKind =
  | 'string'
  | 'integer'
  | 'boolean'
  /** A PostgreSQL URL or a secret reference; a URL with a password stays in the environment. */
  | 'database-url'
  /** A Redis URL or a secret reference; a URL with a password stays in the environment. */
  | 'redis-url'
  /** A key file path (becomes `file:<absolute path>`) or a secret reference. */
  | 'key-file'
  /** The secret itself: the key records `env:<NAME>`, never the value. */
  | 'secret-in-env'

export interface EnvVariable {
  readonly name: string
  /** JSON path of the key it sets. */
  readonly path: string
  readonly kind: EnvKind
  readonly note?: string
}

export const ENV_VARIABLES: readonly EnvVariable[] = [
  { name: 'MCP_MODE', path: 'mode', kind: 'string' },
  { name: 'MCP_TRANSPORT', path: 'transport', kind: 'string' },
  { name: 'MCP_DATABASE_TYPE', path: 'database.type', kind: 'string' },
  { name: 'MCP_DATABASE_PATH', path: 'database.path', kind: 'string' },
  {
    name: 'MCP_DATABASE_URL',
    path: 'database.connection_string',
    kind: 'database-url',
    note: 'A `postgres://` URL or a secret reference. A URL with a password stays in the environment: the key becomes `env:MCP_DATABASE_URL`. Also sets `database.type` to `postgresql` unless MCP_DATABASE_TYPE is set.',
  },
  { name: 'MCP_DATABASE_POOL_SIZE', path: 'database.pool_size', kind: 'integer' },
  { name: 'MCP_HOST', path: 'server.host', kind: 'string' },
  { name: 'MCP_PORT', path: 'server.port', kind: 'integer' },
  { name: 'MCP_TLS_REQUIRED', path: 'server.tls_required', kind: 'boolean' },
  { name: 'MCP_TLS_CERT', path: 'server.tls_cert', kind: 'string' },
  {
    name: 'MCP_TLS_KEY',
    path: 'server.tls_key',
    kind: 'key-file',
    note: 'A key file path, recorded as `file:<absolute path>`; a secret reference is kept as given.',
  },
  { name: 'MCP_TRUST_PROXY', path: 'server.trust_proxy', kind: 'boolean' },
  { name: 'MCP_PUBLIC_URL', path: 'server.public_url', kind: 'string' },
  { name: 'MCP_OAUTH_ISSUER', path: 'authentication.issuer', kind: 'string' },
  { name: 'MCP_OAUTH_PROVIDER', path: 'authentication.provider', kind: 'string' },
  { name: 'MCP_OAUTH_AUDIENCE', path: 'authentication.audience', kind: 'string' },
  { name: 'MCP_OAUTH_JWKS_URI', path: 'authentication.jwks_uri', kind: 'string' },
  {
    name: 'MCP_REDIS_URL',
    path: 'redis.url',
    kind: 'redis-url',
    note: 'A `redis://` URL or a secret reference. A URL with a password stays in the environment: the key becomes `env:MCP_REDIS_URL`.',
  },
  { name: 'MCP_TOKEN_EXPIRY', path: 'authentication.token_expiry', kind: 'integer' },
  {
    name: 'MCP_OAUTH_KEY_ENCRYPTION_KEY',
    path: 'authentication.authorization_server.key_encryption_key',
    kind: 'string',
    note: 'A secret reference (`env:NAME`, `file:/path`, `gcp-sm://…`) to the key, never the key itself.',
  },
  {
    name: 'MCP_OAUTH_REGISTRATION',
    path: 'features.dynamic_client_registration',
    kind: 'boolean',
  },
  { name: 'MCP_VECTOR_SEARCH', path: 'features.vector_search', kind: 'boolean' },
  { name: 'MCP_LOG_LEVEL', path: 'logging.level', kind: 'string' },
  { name: 'MCP_EMBEDDINGS_PROVIDER', path: 'embeddings.provider', kind: 'string' },
  { name: 'MCP_EMBEDDINGS_URL', path: 'embeddings.url', kind: 'string' },
  { name: 'MCP_EMBEDDINGS_MODEL', path: 'embeddings.model', kind: 'string' },
  {
    name: 'MCP_EMBEDDINGS_API_KEY',
    path: 'embeddings.api_key',
    kind: 'secret-in-env',
    note: 'The key itself; the configuration records `env:MCP_EMBEDDINGS_API_KEY`.',
  },
]

/** One value to set at a JSON path, and the variable it came from. */
export interface EnvOverride {
  readonly path: string
  readonly value: unknown
  readonly variable: string
}

const BOOLEANS: Record<string, boolean> = {
  true: true,
  false: false,
  '1': true,
  '0': false,
  yes: true,
  no: false,
}

const shortQuote = (text: string) =>
  JSON.stringify(text.length > 40 ? `${text.slice(0, 40)}…` : text)

function read(variable: EnvVariable, text: string, home: string): unknown {
  switch (variable.kind) {
    case 'string':
      return text
    case 'integer':
      return /^[+-]?\d+$/.test(text.trim())
        ? Number(text.trim())
        : new Error(`expected a whole number, got ${shortQuote(text)}`)
    case 'boolean': {
      const value = BOOLEANS[text.trim().toLowerCase()]
      return value ?? new Error(`expected true/false/1/0/yes/no, got ${shortQuote(text)}`)
    }
    case 'database-url':
      if (isSecretRef(text)) return text
      if (isPostgresUrl(text) && URL.canParse(text)) {
        return urlHasPassword(text) ? `env:${variable.name}` : text
      }
      return new Error('expected a postgres:// URL or a secret reference (the value is not shown)')
    case 'redis-url':
      if (isSecretRef(text)) return text
      if (isRedisUrl(text) && URL.canParse(text)) {
        return urlHasPassword(text) ? `env:${variable.name}` : text
      }
      return new Error('expected a redis:// URL or a secret reference (the value is not shown)')
    case 'key-file':
      return isSecretRef(text) ? text : `file:${resolve(expandHome(text, home))}`
    case 'secret-in-env':
      return `env:${variable.name}`
  }
}

/** Reads the `MCP_*` variables (empty ones count as unset) into overrides and issues. */
export function readEnvOverrides(
  env: Readonly<Record<string, string | undefined>>,
  home: string,
): { overrides: EnvOverride[]; issues: ConfigIssue[] } {
  const overrides: EnvOverride[] = []
  const issues: ConfigIssue[] = []
  for (const variable of ENV_VARIABLES) {
    const text = env[variable.name]
    if (text === undefined || text === '') continue
    const value = read(variable, text, home)
    const source = `env ${variable.name}`
    if (value instanceof Error) {
      issues.push({
        path: variable.path,
        problem: value.message,
        fix: `correct ${variable.name} or unset it`,
        source,
      })
      continue
    }
    overrides.push({ path: variable.path, value, variable: variable.name })
    if (variable.kind === 'database-url' && !env.MCP_DATABASE_TYPE) {
      overrides.push({ path: 'database.type', value: 'postgresql', variable: variable.name })
    }
  }
  return { overrides, issues }
}
