/**
 * Configuration: one schema, a loader (JSONC file + `MCP_*` environment), secret references and
 * their resolution, the starter file, and the generated reference. Imports nothing else from src.
 */

/** The zod schema of the configuration; `parse` fills every default. */
export { configSchema } from './schema.js'
/** Allowed values of the enumerated keys, for callers that switch on them. */
export {
  MODES,
  TRANSPORTS,
  DATABASE_TYPES,
  CLIENT_AUTH_METHODS,
  EMBEDDING_PROVIDERS,
  LOG_LEVELS,
} from './kinds.js'
/** The effective configuration, what a file may contain, and the mode and transport unions. */
export type { Config, ConfigInput, Mode, Transport } from './schema.js'

/** Loads file + environment, validates, fills defaults, checks cross-field rules. */
export { loadConfig } from './load.js'
/** Options and result of `loadConfig`. */
export type { LoadConfigOptions, LoadedConfig } from './load.js'
/** `<home>/.config/mcp-pa/config.json`. */
export { defaultConfigPath } from './paths.js'
/** The `MCP_*` environment variables and the key each one sets. */
export { ENV_VARIABLES } from './env.js'
/** One row of `ENV_VARIABLES` and how its text is read. */
export type { EnvVariable, EnvKind } from './env.js'

/** The cross-field rule of `tls_client_auth` (own TLS listener, client CA), for the composition. */
export { mtlsIssues } from './checks.js'

/** The configuration error: issues with path, problem and fix; `format()` for people. */
export { ConfigError, isConfigError } from './errors.js'
/** One problem in the configuration. */
export type { ConfigIssue } from './errors.js'

/** A resolved secret that renders as `[redacted]` everywhere but `reveal()`. */
export { Secret, REDACTED } from './secret.js'
/** Resolves `env:`, `file:` and `gcp-sm://` references; the cache of Secret Manager values. */
export { resolveSecret, SecretCache, DEFAULT_SECRET_TTL_SECONDS } from './secrets.js'
/** Options of `resolveSecret` and the injectable Secret Manager client. */
export type { ResolveSecretOptions, GcpSecretClient, GcpClientFactory } from './secrets.js'
/** Parsing and checks of secret references and URLs, shared with the CLI and auditors. */
export { parseSecretRef, isSecretRef, isLoopbackHost, SECRET_REF_FORMS } from './refs.js'
/** A secret reference, a parsed one, and a PostgreSQL URL type. */
export type { SecretRef, ParsedSecretRef, PostgresUrl } from './refs.js'

/** Pretty JSON of the effective configuration with URL passwords masked; the masker itself. */
export { renderEffectiveConfig, redactUrl } from './render.js'
/** Writes the commented starter file (0600 in a 0700 directory). */
export { writeStarterConfig } from './init.js'
/** Options of `writeStarterConfig`. */
export type { StarterConfigOptions } from './init.js'
/** The text of the starter file, local or http flavour. */
export { starterConfigText } from './starter.js'
/** The Markdown configuration reference generated from the schema. */
export { renderConfigDocs } from './docs.js'
