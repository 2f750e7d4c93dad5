/**
 * The one configuration schema (DESIGN §1): every key with its default and doc string. The
 * Markdown reference (docs/configuration.md) and the error messages are generated from it.
 * Secret fields hold references (`env:`, `file:`, `gcp-sm://`), never values.
 */
import { z } from 'zod'
import { authorizationServer } from './schema-authorization-server.js'
import {
  AUTH_PROVIDERS,
  CLIENT_AUTH_METHODS,
  connectionString,
  DATABASE_TYPES,
  DEFAULT_DATABASE_PATH,
  EMBEDDING_PROVIDERS,
  httpsUrl,
  LOG_LEVELS,
  JWS_ALGORITHMS,
  MODES,
  redisUrl,
  secretRef,
  TOKEN_VERIFICATIONS,
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
    public_url: httpsUrl(true)
      .optional()
      .meta({ defaultText: 'built from `host` and `port` (loopback only)' })
      .describe(
        'The origin clients use to reach the server (`https://mcp.example.com`). Required when `host` is not a loopback address (behind a proxy, or on a public address). The MCP endpoint’s canonical URI, the OAuth audience by default, is this origin plus `mcp_path`.',
      ),
    allowed_origins: z
      .array(z.string().regex(/^https?:\/\/[^/\s]+$/))
      .max(100)
      .default([])
      .meta({ expected: 'a list of origins such as https://app.example.com' })
      .describe(
        'Browser origins allowed to call the MCP endpoint (CORS and the Origin check). Requests without an `Origin` header (native clients) are always allowed; the server’s own origin is always allowed.',
      ),
    allowed_hosts: z
      .array(z.string().regex(/^[A-Za-z0-9.[\]:-]+$/))
      .max(100)
      .default([])
      .meta({ expected: 'a list of host names, optionally with :port' })
      .describe(
        'Extra `Host` header values accepted on the MCP endpoint (DNS-rebinding protection). The host of `public_url`, and loopback names when listening on loopback, are always accepted.',
      ),
    max_body_bytes: z
      .number()
      .int()
      .min(1024)
      .max(16 * 1024 * 1024)
      .default(1024 * 1024)
      .describe('Largest request body accepted (413 above it).'),
    max_header_bytes: z
      .number()
      .int()
      .min(4096)
      .max(65536)
      .default(16384)
      .describe('Largest total size of request headers (431 above it).'),
    request_timeout: z
      .number()
      .int()
      .min(1)
      .max(600)
      .default(30)
      .describe(
        'Seconds a request may take: receiving it, then producing its answer (for a streamed answer, its first event). Past it: 408 or 504.',
      ),
    max_batch: z
      .number()
      .int()
      .min(1)
      .max(100)
      .default(20)
      .describe('Most JSON-RPC messages in one batch (2025-era clients).'),
    shutdown_timeout: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(10)
      .describe('Seconds to let in-flight requests finish on SIGTERM/SIGINT before closing.'),
  })
  .prefault({})
  .describe('The HTTP listener (http mode only).')

const rateLimit = z
  .strictObject({
    mcp_per_minute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(600)
      .describe('Requests per minute per access token on the MCP endpoint.'),
    ip_per_minute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(120)
      .describe('Requests per minute per client IP on unauthenticated routes and refused tokens.'),
    oauth_per_minute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .default(60)
      .describe(
        'Requests per minute per client IP on the built-in authorization server’s token, registration, authorization and login routes.',
      ),
  })
  .prefault({})
  .describe(
    'Fixed one-minute windows per access token and per client IP (http mode); shared between instances through `redis.url`.',
  )

const redis = z
  .strictObject({
    url: redisUrl()
      .optional()
      .describe(
        'Redis URL (`redis://` or `rediss://`) as a secret reference, or without a password. Set it when several instances share one rate limit.',
      ),
  })
  .prefault({})
  .describe('Shared state of several instances (http mode).')

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
    issuer: httpsUrl(true)
      .optional()
      .describe(
        'The authorization server’s issuer identifier (its `iss`, exactly). With `provider` `external`, tokens must carry this issuer; with `builtin`, it defaults to the origin of `server.public_url` (or of the listener) and must share that origin.',
      ),
    provider: z
      .enum(AUTH_PROVIDERS)
      .default('builtin')
      .describe(
        'Where access tokens come from: `external` (your identity provider, set `issuer`) or `builtin` (the built-in authorization server).',
      ),
    audience: z
      .string()
      .min(1)
      .max(2000)
      .optional()
      .meta({ defaultText: 'the canonical URI of the MCP endpoint' })
      .describe(
        'The value a token’s `aud` must contain. Set it only when the identity provider cannot use the resource URI (e.g. an Entra application ID URI); the check is never skipped.',
      ),
    token_verification: z
      .enum(TOKEN_VERIFICATIONS)
      .default('jwt')
      .describe(
        '`jwt`: verify signed access tokens against the issuer’s keys. `introspection`: ask the issuer (RFC 7662) about each token (cached ≤ 60 s).',
      ),
    jwks_uri: httpsUrl(true)
      .optional()
      .meta({ defaultText: 'discovered from the issuer’s metadata' })
      .describe('The issuer’s JSON Web Key Set URL.'),
    algorithms: z
      .array(z.enum(JWS_ALGORITHMS))
      .min(1)
      .default(['ES256', 'RS256', 'PS256', 'EdDSA'])
      .describe(
        'JWS algorithms accepted on access tokens. Asymmetric only: `none` and HS* never pass.',
      ),
    clock_tolerance: z
      .number()
      .int()
      .min(0)
      .max(300)
      .default(30)
      .describe('Seconds of clock skew allowed on `exp`, `nbf` and `iat`.'),
    require_jwt_access_token_type: z
      .boolean()
      .default(false)
      .describe('Require the RFC 9068 header `typ: at+jwt` (set it when your provider sends it).'),
    introspection_endpoint: httpsUrl(true)
      .optional()
      .meta({ defaultText: 'discovered from the issuer’s metadata' })
      .describe('The RFC 7662 introspection endpoint (with `token_verification` `introspection`).'),
    introspection_client_id: z
      .string()
      .min(1)
      .max(1000)
      .optional()
      .describe('This server’s client ID at the introspection endpoint.'),
    introspection_client_secret: secretRef()
      .optional()
      .describe(
        'This server’s client secret at the introspection endpoint, as a secret reference.',
      ),
    introspection_auth_method: z
      .enum(['client_secret_basic', 'client_secret_post'])
      .default('client_secret_basic')
      .describe('How this server authenticates to the introspection endpoint.'),
    authorization_server: authorizationServer,
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
      .describe(
        'Let OAuth clients register themselves at the built-in authorization server (RFC 7591, with quotas; deprecated by MCP 2026-07-28 in favour of client ID metadata documents).',
      ),
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
    rate_limit: rateLimit,
    redis,
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
