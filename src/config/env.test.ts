import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { configHarness } from './test-support.js'
import { ENV_VARIABLES } from './index.js'
import type { Config } from './index.js'

const { home: homeDir, load, writeConfig, failure } = configHarness('mcp-pa-env-')

function at(config: Config, path: string): unknown {
  return path
    .split('.')
    .reduce<unknown>((node, key) => (node as Record<string, unknown>)[key], config)
}

describe('loadConfig environment overrides', () => {
  const overrides: Array<[string, string, string, unknown]> = [
    ['MCP_MODE', 'http', 'mode', 'http'],
    ['MCP_TRANSPORT', 'stdio', 'transport', 'stdio'],
    ['MCP_DATABASE_TYPE', 'sqlite', 'database.type', 'sqlite'],
    ['MCP_DATABASE_PATH', '~/data/pa.sqlite', 'database.path', '<home>/data/pa.sqlite'],
    [
      'MCP_DATABASE_URL',
      'postgres://app@db/mcp',
      'database.connection_string',
      'postgres://app@db/mcp',
    ],
    ['MCP_DATABASE_POOL_SIZE', '25', 'database.pool_size', 25],
    ['MCP_HOST', 'localhost', 'server.host', 'localhost'],
    ['MCP_PORT', '9443', 'server.port', 9443],
    ['MCP_TLS_REQUIRED', 'no', 'server.tls_required', false],
    ['MCP_TLS_CERT', '/etc/tls/cert.pem', 'server.tls_cert', '/etc/tls/cert.pem'],
    ['MCP_TLS_KEY', '/etc/tls/key.pem', 'server.tls_key', 'file:/etc/tls/key.pem'],
    ['MCP_TRUST_PROXY', 'YES', 'server.trust_proxy', true],
    ['MCP_PUBLIC_URL', 'https://mcp.example.com', 'server.public_url', 'https://mcp.example.com'],
    [
      'MCP_OAUTH_ISSUER',
      'https://auth.example.com',
      'authentication.issuer',
      'https://auth.example.com',
    ],
    ['MCP_OAUTH_PROVIDER', 'external', 'authentication.provider', 'external'],
    ['MCP_OAUTH_AUDIENCE', 'api://mcp-pa', 'authentication.audience', 'api://mcp-pa'],
    [
      'MCP_OAUTH_JWKS_URI',
      'https://auth.example.com/jwks',
      'authentication.jwks_uri',
      'https://auth.example.com/jwks',
    ],
    ['MCP_REDIS_URL', 'redis://:pw-at-test@cache:6379', 'redis.url', 'env:MCP_REDIS_URL'],
    ['MCP_TOKEN_EXPIRY', '600', 'authentication.token_expiry', 600],
    [
      'MCP_OAUTH_KEY_ENCRYPTION_KEY',
      'env:AS_KEK',
      'authentication.authorization_server.key_encryption_key',
      'env:AS_KEK',
    ],
    ['MCP_OAUTH_REGISTRATION', 'false', 'features.dynamic_client_registration', false],
    ['MCP_VECTOR_SEARCH', '0', 'features.vector_search', false],
    ['MCP_LOG_LEVEL', 'debug', 'logging.level', 'debug'],
    ['MCP_EMBEDDINGS_PROVIDER', 'builtin', 'embeddings.provider', 'builtin'],
    [
      'MCP_EMBEDDINGS_URL',
      'https://api.example.com/v1',
      'embeddings.url',
      'https://api.example.com/v1',
    ],
    ['MCP_EMBEDDINGS_MODEL', 'nomic-embed', 'embeddings.model', 'nomic-embed'],
    ['MCP_EMBEDDINGS_API_KEY', 'sk-test', 'embeddings.api_key', 'env:MCP_EMBEDDINGS_API_KEY'],
  ]

  it('the table covers every documented variable', () => {
    expect(overrides.map(([name]) => name)).toEqual(ENV_VARIABLES.map((v) => v.name))
  })

  it.each(overrides)('%s=%s sets %s', async (name, value, path, expected) => {
    await writeConfig(
      '{ "mode": "local", "server": { "tls_cert": "/x.pem", "tls_key": "file:/x.key" } }',
    )
    const { config } = await load({ [name]: value })
    const want = typeof expected === 'string' ? expected.replace('<home>', homeDir()) : expected
    expect(at(config, path)).toEqual(want)
  })

  it.each([
    [
      'MCP_DATABASE_URL with a password stays in the environment',
      { MCP_DATABASE_URL: 'postgres://app:pw@db/mcp' },
      'env:MCP_DATABASE_URL',
      'postgresql',
    ],
    [
      'MCP_DATABASE_URL as a reference is kept',
      { MCP_DATABASE_URL: 'gcp-sm://projects/p/secrets/db' },
      'gcp-sm://projects/p/secrets/db',
      'postgresql',
    ],
    [
      'MCP_DATABASE_TYPE wins over the implied type',
      { MCP_DATABASE_URL: 'postgres://app@db/mcp', MCP_DATABASE_TYPE: 'sqlite' },
      'postgres://app@db/mcp',
      'sqlite',
    ],
  ])('%s', async (_name, env, connection, type) => {
    const { config } = await load(env)
    expect(config.database.connection_string).toBe(connection)
    expect(config.database.type).toBe(type)
  })

  it('MCP_TLS_KEY keeps a reference and makes a relative path absolute', async () => {
    expect((await load({ MCP_TLS_KEY: 'env:TLS_PEM' })).config.server.tls_key).toBe('env:TLS_PEM')
    expect((await load({ MCP_TLS_KEY: 'key.pem' })).config.server.tls_key).toBe(
      `file:${resolve('key.pem')}`,
    )
  })

  it('the environment wins over the file; an empty variable counts as unset', async () => {
    await writeConfig('{ "server": { "port": 9000, "host": "localhost" } }')
    const { config } = await load({ MCP_PORT: '9100', MCP_HOST: '' })
    expect(config.server.port).toBe(9100)
    expect(config.server.host).toBe('localhost')
  })

  it.each([
    ['MCP_PORT', '80.5', 'server.port', 'expected a whole number, got "80.5"'],
    ['MCP_DATABASE_POOL_SIZE', 'ten', 'database.pool_size', 'expected a whole number, got "ten"'],
    [
      'MCP_TLS_REQUIRED',
      'maybe',
      'server.tls_required',
      'expected true/false/1/0/yes/no, got "maybe"',
    ],
    [
      'MCP_VECTOR_SEARCH',
      'on',
      'features.vector_search',
      'expected true/false/1/0/yes/no, got "on"',
    ],
  ])('%s=%s is an error naming the variable', async (name, value, path, problem) => {
    const error = await failure({ [name]: value })
    expect(error.issues).toEqual([
      { path, problem, fix: `correct ${name} or unset it`, source: `env ${name}` },
    ])
  })

  it('a bad MCP_DATABASE_URL is refused without echoing it', async () => {
    const error = await failure({ MCP_DATABASE_URL: 'mysql://root:hunter2@db/x' })
    expect(error.format()).not.toContain('hunter2')
    expect(error.issues[0]?.source).toBe('env MCP_DATABASE_URL')
  })

  it('a schema error on an overridden key names the variable', async () => {
    const error = await failure({ MCP_MODE: 'cloud' })
    expect(error.format()).toMatch(
      /^env MCP_MODE: mode: expected one of "local", "http", got "cloud"\./,
    )
  })
})
