/**
 * The starter configuration files `mcp-pa init` writes: JSON with comments, valid against the
 * schema as written. Secrets appear only as references, never as values.
 */

const HEADER = `// mcp-pa configuration: JSON with comments. Every key is optional; the reference is
// docs/configuration.md, and MCP_* environment variables override what is written here.
// Secrets are never written in this file: a secret field holds a reference such as
// "env:NAME", "file:/absolute/path" (chmod 600) or "gcp-sm://projects/P/secrets/S".
// Check it with: mcp-pa config check`

const LOCAL = `${HEADER}
{
  // local: one user, MCP over stdio for a desktop client, no network listener.
  "mode": "local",
  "database": {
    "type": "sqlite",
    "path": "~/.config/mcp-pa/database.sqlite",
  },
  "features": {
    // Semantic search with the built-in offline embedder.
    "vector_search": false,
  },
  "logging": {
    // Logs go to stderr; stdout carries only MCP messages.
    "level": "info",
  },
}
`

const HTTP = `${HEADER}
{
  // http: MCP over Streamable HTTP, protected by OAuth 2.1.
  "mode": "http",
  "database": {
    "type": "sqlite",
    "path": "~/.config/mcp-pa/database.sqlite",
    // For PostgreSQL (several instances), keep the URL in the environment:
    // "type": "postgresql",
    // "connection_string": "env:MCP_DATABASE_URL",
    "pool_size": 10,
  },
  "server": {
    // Plain HTTP is allowed only on a loopback address such as 127.0.0.1.
    "host": "127.0.0.1",
    "port": 8787,
    "tls_required": true,
    // To listen on a public address, either give a certificate and key
    // (or set MCP_TLS_CERT and MCP_TLS_KEY):
    // "host": "0.0.0.0",
    // "tls_cert": "/etc/mcp-pa/tls/cert.pem",
    // "tls_key": "env:MCP_PA_TLS_KEY_PEM",
    // or run behind a reverse proxy that terminates TLS:
    "trust_proxy": false,
    // Off loopback, the https URL clients use (the token audience is its /mcp):
    // "public_url": "https://mcp.example.com",
    "mcp_path": "/mcp",
  },
  "authentication": {
    "enabled": true,
    // The built-in authorization server issues the tokens (docs/authorization-server.md);
    // with PostgreSQL set its key-encryption key (a secret reference, never the key):
    // "authorization_server": { "key_encryption_key": "env:MCP_PA_KEK" },
    // Or use your identity provider (docs/identity-providers.md; or MCP_OAUTH_PROVIDER=external
    // and MCP_OAUTH_ISSUER):
    // "provider": "external",
    // "issuer": "https://idp.example.com/realms/main",
    // Access token lifetime in seconds, at most 3600.
    "token_expiry": 900,
    "client_auth_methods": ["none", "client_secret_basic", "private_key_jwt"],
  },
  "features": {
    "vector_search": false,
    "multi_tenant": true,
    "dynamic_client_registration": true,
  },
  "embeddings": {
    "provider": "builtin",
    // An OpenAI-compatible API instead of the offline embedder:
    // "provider": "openai",
    // "url": "https://api.openai.com/v1",
    // "api_key": "env:OPENAI_API_KEY",
  },
  "logging": {
    "level": "info",
  },
}
`

/** The starter file's text for local or http mode. */
export function starterConfigText(http: boolean): string {
  return http ? HTTP : LOCAL
}
