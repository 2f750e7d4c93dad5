import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { configSchema } from './index.js'
import { issuesFromZod } from './issues.js'
import { leafFields } from './fields.js'

/** Validates an input and returns the issues' formatted lines (source "config.json"). */
function problems(input: unknown): string[] {
  const result = configSchema.safeParse(input)
  if (result.success) return []
  return issuesFromZod(result.error.issues, input).map(
    (issue) => `${issue.path}: ${issue.problem} | ${issue.fix}`,
  )
}

describe('configSchema defaults', () => {
  it('local mode', () => {
    expect(configSchema.parse({})).toEqual({
      mode: 'local',
      transport: 'stdio',
      database: { type: 'sqlite', path: '~/.config/mcp-pa/database.sqlite', pool_size: 10 },
      server: {
        host: '127.0.0.1',
        port: 8787,
        tls_required: true,
        trust_proxy: false,
        mcp_path: '/mcp',
        allowed_origins: [],
        allowed_hosts: [],
        max_body_bytes: 1048576,
        max_header_bytes: 16384,
        request_timeout: 30,
        max_batch: 20,
        shutdown_timeout: 10,
      },
      authentication: {
        enabled: false,
        oauth_version: '2.1',
        pkce_required: true,
        client_auth_methods: ['none', 'client_secret_basic', 'private_key_jwt'],
        token_expiry: 900,
        provider: 'builtin',
        token_verification: 'jwt',
        algorithms: ['ES256', 'RS256', 'PS256', 'EdDSA'],
        clock_tolerance: 30,
        require_jwt_access_token_type: false,
        introspection_auth_method: 'client_secret_basic',
        authorization_server: {
          client_id_metadata_document_hosts: [],
          client_id_metadata_documents: true,
          code_expiry: 60,
          consent_remember_days: 90,
          refresh_grace_period: 10,
          refresh_token_expiry: 2592000,
          registration_unused_expiry: 604800,
          registrations_per_ip_per_hour: 20,
          session_idle_timeout: 86400,
          signing_alg: 'ES256',
        },
      },
      features: { vector_search: false, multi_tenant: false, dynamic_client_registration: true },
      embeddings: { provider: 'builtin', model: 'text-embedding-3-small' },
      rate_limit: { mcp_per_minute: 600, ip_per_minute: 120, oauth_per_minute: 60 },
      redis: {},
      logging: { level: 'info' },
    })
  })

  it.each([
    ['local', 'stdio', false, false],
    ['http', 'streamable-http', true, true],
  ] as const)(
    'mode %s: transport %s, auth %s, multi-tenant %s',
    (mode, transport, auth, tenant) => {
      const config = configSchema.parse({ mode })
      expect(config.transport).toBe(transport)
      expect(config.authentication.enabled).toBe(auth)
      expect(config.features.multi_tenant).toBe(tenant)
    },
  )

  it('explicit values win over mode defaults', () => {
    const config = configSchema.parse({
      mode: 'http',
      authentication: { enabled: false },
      features: { multi_tenant: false },
    })
    expect(config.authentication.enabled).toBe(false)
    expect(config.features.multi_tenant).toBe(false)
  })

  it('every key has a description, and a default or a reason to have none', () => {
    const optional = new Set([
      'database.connection_string',
      'server.tls_cert',
      'server.tls_key',
      'authentication.issuer',
      'authentication.introspection_client_id',
      'authentication.introspection_client_secret',
      'authentication.authorization_server.registration_initial_access_token',
      'authentication.authorization_server.client_certificate_ca',
      'redis.url',
      'embeddings.url',
      'embeddings.api_key',
      'embeddings.dimensions',
    ])
    for (const { path, field } of leafFields()) {
      expect(field.description, path).toBeTruthy()
      const hasDefault = field.default !== undefined || field.defaultText !== undefined
      expect(hasDefault || optional.has(path), `${path} has no default`).toBe(true)
    }
  })
})

describe('configSchema issues', () => {
  it.each([
    [
      { database: { pool_size: '10' } },
      'database.pool_size: expected a whole number from 1 to 100, got a string | set database.pool_size to a whole number from 1 to 100, or remove it to use the default (10)',
    ],
    [
      { database: { pool_size: 2.5 } },
      'database.pool_size: expected a whole number from 1 to 100, got a fractional number | set database.pool_size to a whole number from 1 to 100, or remove it to use the default (10)',
    ],
    [
      { server: { port: 70000 } },
      'server.port: expected a whole number from 1 to 65535, got 70000 | set server.port to a whole number from 1 to 65535, or remove it to use the default (8787)',
    ],
    [
      { server: { tls_required: 'yes' } },
      'server.tls_required: expected true or false, got a string | set server.tls_required to true or false, or remove it to use the default (true)',
    ],
    [
      { mode: 'remote' },
      'mode: expected one of "local", "http", got "remote" | set mode to one of "local", "http", or remove it to use the default ("local")',
    ],
    [
      { database: 'sqlite' },
      'database: expected an object, got a string | set database to an object, or remove it to use the default ({})',
    ],
    [
      { authentication: { client_auth_methods: ['none', 'magic'] } },
      'authentication.client_auth_methods[1]: expected one of "none", "client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", got "magic" | set authentication.client_auth_methods[1] to one of "none", "client_secret_basic", "client_secret_post", "private_key_jwt", "tls_client_auth", or remove it',
    ],
    [
      { authentication: { pkce_required: false } },
      'authentication.pkce_required: PKCE cannot be turned off: OAuth 2.1 makes PKCE mandatory for every client | remove authentication.pkce_required or set it to true',
    ],
    [
      { authentication: { oauth_version: 2.1 } },
      'authentication.oauth_version: only OAuth 2.1 is implemented: expected the string "2.1", got 2.1 | remove authentication.oauth_version or set it to "2.1"',
    ],
    [
      { authentication: { token_expiry: 7200 } },
      'authentication.token_expiry: must be at most 3600 (1 hour) per OAuth 2.1 guidance, got 7200 | set authentication.token_expiry to 3600 or less (default 900); clients renew with refresh tokens',
    ],
    [
      { authentication: { issuer: 'http://auth.example.com' } },
      'authentication.issuer: expected an https URL (http is allowed only for loopback hosts), got http: | give an https URL',
    ],
    [
      { embeddings: { url: 'http://embed.example.com/v1' } },
      'embeddings.url: expected an https URL (http is allowed only for loopback hosts), got http: | give an https URL',
    ],
    [
      { server: { mcp_path: 'mcp' } },
      'server.mcp_path: expected a URL path starting with /, got "mcp" | set server.mcp_path to a URL path starting with /, or remove it to use the default ("/mcp")',
    ],
    [
      { database: { pool_sise: 5 } },
      'database.pool_sise: unknown key "pool_sise" | did you mean "pool_size"? Otherwise remove it or use one of the keys allowed in database: type, path, connection_string, pool_size',
    ],
    [
      { colour: 'blue' },
      'colour: unknown key "colour" | remove it or use one of the keys allowed at the top level: mode, transport, database, server, authentication, features, embeddings, rate_limit, redis, logging',
    ],
  ])('%j', (input, expected) => {
    expect(problems(input)).toEqual([expected])
  })

  it.each([
    ['http://127.0.0.1:11434/v1'],
    ['http://localhost:8080/v1'],
    ['http://[::1]:8080/v1'],
    ['https://api.openai.com/v1'],
  ])('embeddings.url accepts %s', (url) => {
    expect(problems({ embeddings: { url } })).toEqual([])
  })

  it.each([
    ['env:MCP_PA_KEY'],
    ['file:/etc/mcp-pa/key.pem'],
    ['gcp-sm://projects/p/secrets/s'],
    ['gcp-sm://projects/p/secrets/s/versions/3'],
  ])('a secret field accepts the reference %s', (ref) => {
    expect(problems({ server: { tls_key: ref }, embeddings: { api_key: ref } })).toEqual([])
  })

  const secret = () => `sk-${randomBytes(18).toString('base64url')}`
  it.each([
    [
      'server.tls_key',
      (v: string) => ({ server: { tls_key: v } }),
      'a literal value is not allowed in a secret field',
    ],
    [
      'embeddings.api_key',
      (v: string) => ({ embeddings: { api_key: v } }),
      'a literal value is not allowed in a secret field',
    ],
    [
      'database.connection_string',
      (v: string) => ({ database: { connection_string: `postgres://app:${v}@db/mcp` } }),
      'a connection string with a password must not be written literally',
    ],
    [
      'database.connection_string',
      (v: string) => ({ database: { connection_string: `postgresql://app@db/mcp?password=${v}` } }),
      'a connection string with a password must not be written literally',
    ],
    [
      'server.tls_key',
      (v: string) => ({ server: { tls_key: `file:relative/${v}` } }),
      'a file: reference needs an absolute path',
    ],
  ])('%s refuses a literal without echoing it', (path, input, problem) => {
    const value = secret()
    const [line] = problems(input(value))
    expect(line).toMatch(new RegExp(`^${path.replace('.', '\\.')}: ${problem} \\| use a reference`))
    expect(line).not.toContain(value)
  })

  it('a postgres:// URL without a password may be written literally', () => {
    expect(problems({ database: { connection_string: 'postgres://app@db:5432/mcp' } })).toEqual([])
  })
})
