/**
 * Rules that span several keys, checked after the schema: each failure is an issue with a fix;
 * a setting that works but deserves a second look is a warning (returned, never printed here).
 */
import type { ConfigIssue } from './errors.js'
import { isLoopbackHost } from './refs.js'
import type { Config } from './schema.js'

type Draft = Omit<ConfigIssue, 'source'>

const TLS_FIX =
  'either set MCP_TLS_CERT and MCP_TLS_KEY (server.tls_cert, server.tls_key), or run behind a proxy that terminates TLS and set server.trust_proxy to true (MCP_TRUST_PROXY=1), or listen on 127.0.0.1'

function transportIssues(config: Config): Draft[] {
  const expected = config.mode === 'http' ? 'streamable-http' : 'stdio'
  if (config.transport === expected) return []
  const other = config.mode === 'http' ? 'local' : 'http'
  return [
    {
      path: 'transport',
      problem: `transport "${config.transport}" does not work in mode "${config.mode}"`,
      fix: `remove transport (mode "${config.mode}" uses "${expected}"), or set mode to "${other}"`,
    },
  ]
}

function databaseIssues(config: Config, warnings: string[]): Draft[] {
  const { type, connection_string } = config.database
  if (type === 'sqlite' && connection_string !== undefined) {
    warnings.push('database.connection_string is ignored because database.type is "sqlite"')
  }
  if (type !== 'postgresql' || connection_string !== undefined) return []
  return [
    {
      path: 'database.connection_string',
      problem: 'required when database.type is "postgresql"',
      fix: 'set MCP_DATABASE_URL, or set database.connection_string to a secret reference such as env:MCP_DATABASE_URL (a postgres:// URL without a password may be written as is)',
    },
  ]
}

function serverIssues(config: Config, warnings: string[]): Draft[] {
  if (config.mode !== 'http') {
    if (config.authentication.enabled) {
      warnings.push(
        'authentication.enabled has no effect in local mode: stdio has no authentication',
      )
    }
    return []
  }
  const { host, tls_cert, tls_key, tls_required, trust_proxy } = config.server
  const issues: Draft[] = []
  if ((tls_cert === undefined) !== (tls_key === undefined)) {
    const missing = tls_cert === undefined ? 'server.tls_cert' : 'server.tls_key'
    issues.push({
      path: missing,
      problem: 'server.tls_cert and server.tls_key go together, one is missing',
      fix: `set ${missing} too (MCP_TLS_CERT / MCP_TLS_KEY), or remove the other`,
    })
  }
  const loopback = isLoopbackHost(host)
  if (!loopback && !trust_proxy && (tls_cert === undefined || tls_key === undefined)) {
    issues.push({
      path: 'server.tls_required',
      problem: tls_required
        ? `server.host "${host}" is not a loopback address and TLS is required, but no certificate and key are set`
        : `plain HTTP is allowed only on a loopback address, and server.host "${host}" is not one`,
      fix: TLS_FIX,
    })
  }
  if (!loopback && config.server.public_url === undefined) {
    issues.push({
      path: 'server.public_url',
      problem: `server.host "${host}" is not a loopback address, so the URL clients connect to (the resource and token audience) cannot be derived from it`,
      fix: 'set server.public_url (MCP_PUBLIC_URL) to the https URL clients use, e.g. https://mcp.example.com',
    })
  }
  if (!config.authentication.enabled) {
    if (loopback) {
      warnings.push(
        'authentication is off in http mode: any local program that can reach the port can use the server',
      )
    } else {
      issues.push({
        path: 'authentication.enabled',
        problem: `authentication is off on the non-loopback address "${host}": anyone who can reach the port could read and change the data`,
        fix: 'set authentication.enabled to true (the default in http mode), or listen on 127.0.0.1',
      })
    }
  }
  return issues
}

function externalProviderIssues(config: Config): Draft[] {
  const auth = config.authentication
  if (config.mode !== 'http' || !auth.enabled || auth.provider !== 'external') return []
  const issues: Draft[] = []
  if (auth.issuer === undefined) {
    issues.push({
      path: 'authentication.issuer',
      problem: 'required when authentication.provider is "external"',
      fix: 'set MCP_OAUTH_ISSUER (authentication.issuer) to your identity provider’s issuer URL, exactly as it appears in its tokens’ `iss`',
    })
  }
  if (auth.token_verification === 'introspection') {
    for (const key of ['introspection_client_id', 'introspection_client_secret'] as const) {
      if (auth[key] === undefined) {
        issues.push({
          path: `authentication.${key}`,
          problem: 'required when authentication.token_verification is "introspection"',
          fix: `set authentication.${key}${key.endsWith('secret') ? ' to a secret reference such as env:MCP_INTROSPECTION_SECRET' : ' to the client this server uses at the introspection endpoint'}`,
        })
      }
    }
  }
  return issues
}

/**
 * `tls_client_auth` (RFC 8705) needs the server's own TLS listener, where the client certificate
 * arrives in the handshake (a proxy that terminates TLS does not pass it on), and the CA that
 * client certificates must chain to.
 */
export function mtlsIssues(config: Config, warnings: string[] = []): Draft[] {
  const auth = config.authentication
  if (config.mode !== 'http' || !auth.enabled || auth.provider !== 'builtin') return []
  const ca = auth.authorization_server.client_certificate_ca
  if (!auth.client_auth_methods.includes('tls_client_auth')) {
    if (ca !== undefined) {
      warnings.push(
        'authentication.authorization_server.client_certificate_ca is ignored: tls_client_auth is not in authentication.client_auth_methods',
      )
    }
    return []
  }
  const issues: Draft[] = []
  if (config.server.tls_cert === undefined || config.server.tls_key === undefined) {
    issues.push({
      path: 'authentication.client_auth_methods',
      problem:
        'tls_client_auth needs this server’s own HTTPS listener (the client certificate arrives in its TLS handshake), but server.tls_cert and server.tls_key are not set',
      fix: 'set server.tls_cert and server.tls_key (MCP_TLS_CERT / MCP_TLS_KEY); a proxy that terminates TLS cannot pass the certificate on. Or remove tls_client_auth from authentication.client_auth_methods',
    })
  }
  if (ca === undefined) {
    issues.push({
      path: 'authentication.authorization_server.client_certificate_ca',
      problem: 'required when authentication.client_auth_methods lists tls_client_auth',
      fix: 'set it to the PEM file of the CA certificate(s) that issue your clients’ certificates',
    })
  }
  return issues
}

function embeddingIssues(config: Config, warnings: string[]): Draft[] {
  const { provider, url, api_key } = config.embeddings
  if (config.features.vector_search && provider === 'builtin') {
    warnings.push(
      'features.vector_search uses embeddings.provider "builtin", an offline embedder: fine for local use, lower quality',
    )
  }
  if (provider !== 'openai') return []
  const issues: Draft[] = []
  if (url === undefined) {
    issues.push({
      path: 'embeddings.url',
      problem: 'required when embeddings.provider is "openai"',
      fix: 'set MCP_EMBEDDINGS_URL or embeddings.url to the API base, e.g. https://api.openai.com/v1',
    })
  }
  if (api_key === undefined) {
    issues.push({
      path: 'embeddings.api_key',
      problem: 'required when embeddings.provider is "openai"',
      fix: 'set MCP_EMBEDDINGS_API_KEY, or set embeddings.api_key to a secret reference such as env:OPENAI_API_KEY',
    })
  }
  return issues
}

/** Cross-field rules over a schema-valid configuration. */
export function checkConfig(
  config: Config,
  sourceOf: (path: string) => string | undefined = () => undefined,
): { issues: ConfigIssue[]; warnings: string[] } {
  const warnings: string[] = []
  const drafts = [
    ...transportIssues(config),
    ...databaseIssues(config, warnings),
    ...serverIssues(config, warnings),
    ...externalProviderIssues(config),
    ...mtlsIssues(config, warnings),
    ...embeddingIssues(config, warnings),
  ]
  const issues = drafts.map((draft) => {
    const source = sourceOf(draft.path)
    return source === undefined ? draft : { ...draft, source }
  })
  return { issues, warnings }
}
