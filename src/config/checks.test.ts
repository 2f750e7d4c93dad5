import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, defaultConfigPath, loadConfig } from './index.js'

type Env = Record<string, string>

let home: string
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mcp-pa-checks-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

/** Loads with an optional file (at the default path) and returns errors or warnings as lines. */
async function outcome(env: Env, file?: object): Promise<{ errors: string[]; warnings: string[] }> {
  if (file !== undefined) {
    const path = defaultConfigPath(home)
    await mkdir(join(path, '..'), { recursive: true })
    await writeFile(path, JSON.stringify(file))
  }
  try {
    const { warnings } = await loadConfig({ env, home })
    return { errors: [], warnings }
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error
    return { errors: error.format().split('\n'), warnings: [] }
  }
}

const TLS_FIX =
  'Fix: either set MCP_TLS_CERT and MCP_TLS_KEY (server.tls_cert, server.tls_key), or run behind a proxy that terminates TLS and set server.trust_proxy to true (MCP_TRUST_PROXY=1), or listen on 127.0.0.1.'

describe('cross-field rules', () => {
  it.each<[string, Env, object | undefined, string[]]>([
    [
      'a transport that does not match the mode',
      { MCP_TRANSPORT: 'streamable-http' },
      undefined,
      [
        'env MCP_TRANSPORT: transport: transport "streamable-http" does not work in mode "local". Fix: remove transport (mode "local" uses "stdio"), or set mode to "http".',
      ],
    ],
    [
      'postgresql without a connection string',
      { MCP_DATABASE_TYPE: 'postgresql' },
      undefined,
      [
        'environment: database.connection_string: required when database.type is "postgresql". Fix: set MCP_DATABASE_URL, or set database.connection_string to a secret reference such as env:MCP_DATABASE_URL (a postgres:// URL without a password may be written as is).',
      ],
    ],
    [
      'http on a public address, TLS required, no certificate',
      { MCP_MODE: 'http', MCP_HOST: '0.0.0.0' },
      undefined,
      [
        `environment: server.tls_required: server.host "0.0.0.0" is not a loopback address and TLS is required, but no certificate and key are set. ${TLS_FIX}`,
        'environment: server.public_url: server.host "0.0.0.0" is not a loopback address, so the URL clients connect to (the resource and token audience) cannot be derived from it. Fix: set server.public_url (MCP_PUBLIC_URL) to the https URL clients use, e.g. https://mcp.example.com.',
      ],
    ],
    [
      'plain http on a public address',
      { MCP_MODE: 'http', MCP_HOST: '192.0.2.10', MCP_TLS_REQUIRED: 'false' },
      undefined,
      [
        `env MCP_TLS_REQUIRED: server.tls_required: plain HTTP is allowed only on a loopback address, and server.host "192.0.2.10" is not one. ${TLS_FIX}`,
        'environment: server.public_url: server.host "192.0.2.10" is not a loopback address, so the URL clients connect to (the resource and token audience) cannot be derived from it. Fix: set server.public_url (MCP_PUBLIC_URL) to the https URL clients use, e.g. https://mcp.example.com.',
      ],
    ],
    [
      'a public address without a public URL',
      { MCP_MODE: 'http', MCP_HOST: '0.0.0.0', MCP_TRUST_PROXY: '1' },
      undefined,
      [
        'environment: server.public_url: server.host "0.0.0.0" is not a loopback address, so the URL clients connect to (the resource and token audience) cannot be derived from it. Fix: set server.public_url (MCP_PUBLIC_URL) to the https URL clients use, e.g. https://mcp.example.com.',
      ],
    ],
    [
      'a certificate without a key',
      { MCP_MODE: 'http', MCP_TLS_CERT: '/etc/tls/cert.pem' },
      undefined,
      [
        'environment: server.tls_key: server.tls_cert and server.tls_key go together, one is missing. Fix: set server.tls_key too (MCP_TLS_CERT / MCP_TLS_KEY), or remove the other.',
      ],
    ],
    [
      'authentication off on a public address',
      { MCP_TRUST_PROXY: '1', MCP_PUBLIC_URL: 'https://mcp.example.com' },
      { mode: 'http', server: { host: '0.0.0.0' }, authentication: { enabled: false } },
      [
        `${defaultConfigPath('<home>')}: authentication.enabled: authentication is off on the non-loopback address "0.0.0.0": anyone who can reach the port could read and change the data. Fix: set authentication.enabled to true (the default in http mode), or listen on 127.0.0.1.`,
      ],
    ],
    [
      'a token lifetime over one hour',
      { MCP_TOKEN_EXPIRY: '7200' },
      undefined,
      [
        'env MCP_TOKEN_EXPIRY: authentication.token_expiry: must be at most 3600 (1 hour) per OAuth 2.1 guidance, got 7200. Fix: set authentication.token_expiry to 3600 or less (default 900); clients renew with refresh tokens.',
      ],
    ],
    [
      'an external identity provider without an issuer',
      { MCP_MODE: 'http', MCP_OAUTH_PROVIDER: 'external' },
      undefined,
      [
        'environment: authentication.issuer: required when authentication.provider is "external". Fix: set MCP_OAUTH_ISSUER (authentication.issuer) to your identity provider’s issuer URL, exactly as it appears in its tokens’ `iss`.',
      ],
    ],
    [
      'introspection without client credentials',
      { MCP_MODE: 'http', MCP_OAUTH_PROVIDER: 'external', MCP_OAUTH_ISSUER: 'https://idp.example' },
      { authentication: { token_verification: 'introspection' } },
      [
        `${defaultConfigPath('<home>')}: authentication.introspection_client_id: required when authentication.token_verification is "introspection". Fix: set authentication.introspection_client_id to the client this server uses at the introspection endpoint.`,
        `${defaultConfigPath('<home>')}: authentication.introspection_client_secret: required when authentication.token_verification is "introspection". Fix: set authentication.introspection_client_secret to a secret reference such as env:MCP_INTROSPECTION_SECRET.`,
      ],
    ],
    [
      'openai embeddings without url and key',
      { MCP_EMBEDDINGS_PROVIDER: 'openai' },
      undefined,
      [
        'environment: embeddings.url: required when embeddings.provider is "openai". Fix: set MCP_EMBEDDINGS_URL or embeddings.url to the API base, e.g. https://api.openai.com/v1.',
        'environment: embeddings.api_key: required when embeddings.provider is "openai". Fix: set MCP_EMBEDDINGS_API_KEY, or set embeddings.api_key to a secret reference such as env:OPENAI_API_KEY.',
      ],
    ],
    [
      'tls_client_auth on a plain-HTTP loopback server, without a client CA',
      {},
      { mode: 'http', authentication: { client_auth_methods: ['none', 'tls_client_auth'] } },
      [
        '<home>/.config/mcp-pa/config.json: authentication.client_auth_methods: tls_client_auth needs this server’s own HTTPS listener (the client certificate arrives in its TLS handshake), but server.tls_cert and server.tls_key are not set. Fix: set server.tls_cert and server.tls_key (MCP_TLS_CERT / MCP_TLS_KEY); a proxy that terminates TLS cannot pass the certificate on. Or remove tls_client_auth from authentication.client_auth_methods.',
        '<home>/.config/mcp-pa/config.json: authentication.authorization_server.client_certificate_ca: required when authentication.client_auth_methods lists tls_client_auth. Fix: set it to the PEM file of the CA certificate(s) that issue your clients’ certificates.',
      ],
    ],
    [
      'tls_client_auth behind a TLS-terminating proxy',
      { MCP_TRUST_PROXY: 'true' },
      {
        mode: 'http',
        authentication: {
          client_auth_methods: ['tls_client_auth'],
          authorization_server: { client_certificate_ca: '/etc/ca.pem' },
        },
      },
      [
        '<home>/.config/mcp-pa/config.json: authentication.client_auth_methods: tls_client_auth needs this server’s own HTTPS listener (the client certificate arrives in its TLS handshake), but server.tls_cert and server.tls_key are not set. Fix: set server.tls_cert and server.tls_key (MCP_TLS_CERT / MCP_TLS_KEY); a proxy that terminates TLS cannot pass the certificate on. Or remove tls_client_auth from authentication.client_auth_methods.',
      ],
    ],
  ])('error: %s', async (_name, env, file, expected) => {
    const { errors } = await outcome(env, file)
    expect(errors).toEqual(expected.map((line) => line.replace('<home>', home)))
  })

  it.each<[string, Env]>([
    ['TLS from a certificate and key', { MCP_TLS_CERT: '/c.pem', MCP_TLS_KEY: '/k.pem' }],
    ['TLS from a proxy', { MCP_TRUST_PROXY: 'true' }],

    ['a loopback address', { MCP_HOST: '127.0.0.2', MCP_TLS_REQUIRED: 'false' }],
  ])('http is fine with %s (and a public URL)', async (_name, env) => {
    const publicUrl = { MCP_PUBLIC_URL: 'https://mcp.example.com' }
    expect(await outcome({ MCP_MODE: 'http', MCP_HOST: '0.0.0.0', ...publicUrl, ...env })).toEqual({
      errors: [],
      warnings: [],
    })
  })

  it('tls_client_auth is fine with the own TLS listener and a client CA', async () => {
    const file = {
      mode: 'http',
      server: { tls_cert: '/c.pem', tls_key: 'file:/k.pem' },
      authentication: {
        client_auth_methods: ['none', 'tls_client_auth'],
        authorization_server: { client_certificate_ca: '~/ca.pem' },
      },
    }
    expect(await outcome({}, file)).toEqual({ errors: [], warnings: [] })
  })

  it.each<[string, Env, object | undefined, string]>([
    [
      'vector search with the builtin embedder',
      { MCP_VECTOR_SEARCH: 'yes' },
      undefined,
      'features.vector_search uses embeddings.provider "builtin", an offline embedder: fine for local use, lower quality',
    ],
    [
      'authentication off in http mode on loopback',
      {},
      { mode: 'http', authentication: { enabled: false } },
      'authentication is off in http mode: any local program that can reach the port can use the server',
    ],
    [
      'authentication on in local mode',
      {},
      { authentication: { enabled: true } },
      'authentication.enabled has no effect in local mode: stdio has no authentication',
    ],
    [
      'a connection string with sqlite',
      { MCP_DATABASE_URL: 'postgres://app@db/mcp', MCP_DATABASE_TYPE: 'sqlite' },
      undefined,
      'database.connection_string is ignored because database.type is "sqlite"',
    ],
    [
      'a client CA without tls_client_auth',
      {},
      {
        mode: 'http',
        authentication: { authorization_server: { client_certificate_ca: '/ca.pem' } },
      },
      'authentication.authorization_server.client_certificate_ca is ignored: tls_client_auth is not in authentication.client_auth_methods',
    ],
  ])('warning: %s', async (_name, env, file, warning) => {
    expect(await outcome(env, file)).toEqual({ errors: [], warnings: [warning] })
  })
})
