/**
 * The one configuration schema (DESIGN §1): every key with its default and doc string. The
 * Markdown reference (docs/configuration.md) and the error messages are generated from it.
 * Secret fields hold references (`env:`, `file:`, `gcp-sm://`), never values.
 */
import { z } from 'zod'
import {
  CLIENT_AUTH_METHODS,
  connectionString,
  DATABASE_TYPES,
  DEFAULT_DATABASE_PATH,
  EMBEDDING_PROVIDERS,
  httpsUrl,
  LOG_LEVELS,
  MODES,
  secretRef,
  TRANSPORTS,
} from './kinds.js'

const database = z
  .strictObject({
    type: z.enum(DATABASE_TYPES).default('sqlite').describe('Storage backend.'),
    path: z
      .string()
      .min(1)
      .default(DEFAULT_DATABASE_PATH)
      .describe('SQLite database file. A leading `~` is the home directory.'),
    connection_string: connectionString()
      .optional()
      .describe(
        'PostgreSQL connection URL as a secret reference, or a `postgres://` URL without a password. Required when `type` is `postgresql`.',
      ),
    pool_size: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(10)
      .describe('PostgreSQL connections per instance.'),
  })
  .prefault({})
  .describe('Where memories and tasks are stored.')

const server = z
  .strictObject({
    host: z.string().min(1).default('127.0.0.1').describe('Address the HTTP server listens on.'),
    port: z.number().int().min(1).max(65535).default(8787).describe('TCP port of the HTTP server.'),
    tls_required: z
      .boolean()
      .default(true)
      .describe(
        'Refuse to serve plain HTTP on a non-loopback address. TLS comes from `tls_cert`/`tls_key` or from a proxy (`trust_proxy`).',
      ),
    tls_cert: z
      .string()
      .min(1)
      .optional()
      .meta({ expected: 'a file path' })
      .describe('PEM certificate chain file for HTTPS. A leading `~` is the home directory.'),
    tls_key: secretRef().optional().describe('PEM private key for HTTPS, as a secret reference.'),
    trust_proxy: z
      .boolean()
      .default(false)
      .describe(
        'Trust `X-Forwarded-*` headers from a reverse proxy that terminates TLS in front of the server.',
      ),
    mcp_path: z
      .string()
      .regex(/^\/[A-Za-z0-9._~/-]*$/)
      .default('/mcp')
      .meta({ expected: 'a URL path starting with /' })
      .describe('Path of the MCP endpoint.'),
  })
  .prefault({})
  .describe('The HTTP listener (http mode only).')

const authentication = z
  .strictObject({
    enabled: z
      .boolean()
      .optional()
      .meta({ defaultText: 'false in local mode, true in http mode' })
      .describe('Require OAuth access tokens on the MCP endpoint.'),
    oauth_version: z.literal('2.1').default('2.1').describe('OAuth version implemented.'),
    pkce_required: z
      .literal(true)
      .default(true)
      .describe('PKCE (S256) on every authorization request; mandatory in OAuth 2.1.'),
    client_auth_methods: z
      .array(z.enum(CLIENT_AUTH_METHODS))
      .min(1)
      .default(['none', 'client_secret_basic', 'private_key_jwt'])
      .describe('Token endpoint client authentication methods the authorization server accepts.'),
    token_expiry: z
      .number()
      .int()
      .min(60)
      .max(3600)
      .default(900)
      .describe('Access token lifetime in seconds (at most 1 hour).'),
    issuer: httpsUrl(false)
      .optional()
      .describe('Public https URL of the authorization server (its `iss`).'),
  })
  .prefault({})
  .describe('OAuth 2.1 protection of the HTTP endpoint.')

const features = z
  .strictObject({
    vector_search: z
      .boolean()
      .default(false)
      .describe('Semantic search over memories with embeddings.'),
    multi_tenant: z
      .boolean()
      .optional()
      .meta({ defaultText: 'false in local mode, true in http mode' })
      .describe('Keep each user’s data separate (several users on one server).'),
    dynamic_client_registration: z
      .boolean()
      .default(true)
      .describe('Let OAuth clients register themselves (RFC 7591), with quotas.'),
  })
  .prefault({})
  .describe('Optional features.')

const embeddings = z
  .strictObject({
    provider: z
      .enum(EMBEDDING_PROVIDERS)
      .default('builtin')
      .describe('`builtin` is an offline embedder; `openai` calls an OpenAI-compatible API.'),
    url: httpsUrl(true)
      .optional()
      .describe('Base URL of an OpenAI-compatible API, ending in `/v1`. Required for `openai`.'),
    model: z.string().min(1).default('text-embedding-3-small').describe('Embedding model name.'),
    api_key: secretRef()
      .optional()
      .describe('API key as a secret reference. Required for `openai`.'),
    dimensions: z
      .number()
      .int()
      .min(1)
      .max(65536)
      .optional()
      .describe('Vector size to request; the model’s own size when unset.'),
  })
  .prefault({})
  .describe('How text is turned into vectors for `features.vector_search`.')

const logging = z
  .strictObject({
    level: z.enum(LOG_LEVELS).default('info').describe('Least severe level written to the log.'),
  })
  .prefault({})
  .describe('Structured logs (to stderr).')

const fileSchema = z
  .strictObject({
    mode: z
      .enum(MODES)
      .default('local')
      .describe('`local`: one user over stdio. `http`: a server.'),
    transport: z
      .enum(TRANSPORTS)
      .optional()
      .meta({ defaultText: 'stdio in local mode, streamable-http in http mode' })
      .describe('MCP transport; must match the mode.'),
    database,
    server,
    authentication,
    features,
    embeddings,
    logging,
  })
  .describe('mcp-pa configuration')

/** The configuration schema: validates a file (after environment overrides) and fills defaults. */
export const configSchema = fileSchema.transform(({ mode, transport, ...rest }) => {
  const http = mode === 'http'
  const { enabled, ...authentication } = rest.authentication
  const { multi_tenant, ...features } = rest.features
  return {
    mode,
    transport: transport ?? (http ? 'streamable-http' : 'stdio'),
    ...rest,
    authentication: { enabled: enabled ?? http, ...authentication },
    features: { ...features, multi_tenant: multi_tenant ?? http },
  }
})

/** What a configuration file may contain (every key optional). */
export type ConfigInput = z.input<typeof configSchema>
/** The effective configuration: defaults filled, secret fields still references. */
export type Config = z.output<typeof configSchema>
export type Mode = Config['mode']
export type Transport = Config['transport']
