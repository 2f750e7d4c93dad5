import { randomBytes } from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { discoverAuthorizationServer } from '../../src/auth/client/authorization-server-metadata.js'
import type { DiscoveredAuthorizationServer } from '../../src/auth/client/authorization-server-metadata.js'
import { DEFAULT_CLIENT_METADATA_URL } from '../../src/auth/client/registration.js'
import { clientFetchPolicy } from '../../src/auth/client/url-policy.js'
import { startTestIdp } from './oidc-idp.js'
import type { TestIdp } from './oidc-idp.js'

/**
 * Fixtures for the CLI OAuth client's tests against the test IdP: two static clients a user
 * could have pre-registered (public, and confidential with `client_secret_basic`), both native
 * with the portless loopback redirect URI (any port matches, RFC 8252 §7.3), and a helper that
 * asks the IdP's introspection endpoint what it thinks of a token.
 */

/** The resource the client logs in to (any absolute URI is a resource for the test IdP). */
export const RESOURCE = 'https://mcp.example.test/mcp'

const nativeClient = {
  application_type: 'native',
  redirect_uris: ['http://127.0.0.1/callback'],
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
}

export const PUBLIC_CLI_CLIENT = {
  ...nativeClient,
  client_id: 'mcp-pa-cli-public',
  token_endpoint_auth_method: 'none',
}

export const CONFIDENTIAL_CLI_CLIENT = {
  ...nativeClient,
  client_id: 'mcp-pa-cli-confidential',
  client_secret: randomBytes(32).toString('base64url'),
  token_endpoint_auth_method: 'client_secret_basic',
}

/** RFC 7662 introspection of `token` at the test IdP, as its resource-server client. */
export async function introspect(idp: TestIdp, token: string): Promise<Record<string, unknown>> {
  const { clientId, clientSecret } = idp.introspectionClient
  const response = await fetch(idp.introspectionEndpoint, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      authorization: `Basic ${Buffer.from(`${clientId}:${clientSecret}`).toString('base64')}`,
    },
    body: new URLSearchParams({ token }),
  })
  if (!response.ok) throw new Error(`introspection failed: HTTP ${response.status}`)
  return (await response.json()) as Record<string, unknown>
}

/** Requests to the test IdP: loopback trusted (as for an MCP server on 127.0.0.1). */
export const LOOPBACK_POLICY = clientFetchPolicy({ trustedHosts: ['127.0.0.1'], timeoutMs: 5000 })

/**
 * The test IdP as the CLI client's tests use it: flows approved for `alice`, dynamic
 * registration, the project's own client ID metadata document (docs/client-metadata.json)
 * served at its published URL, the two static CLI clients; and its discovered metadata.
 */
export async function startClientFlowIdp(): Promise<{
  idp: TestIdp
  as: DiscoveredAuthorizationServer
}> {
  const document = JSON.parse(await readFile('docs/client-metadata.json', 'utf8')) as unknown
  const idp = await startTestIdp({
    autoApproveSubject: 'alice',
    clientFlows: {
      registration: true,
      clientMetadataDocuments: { [DEFAULT_CLIENT_METADATA_URL]: document },
      clients: [PUBLIC_CLI_CLIENT, CONFIDENTIAL_CLI_CLIENT],
    },
  })
  try {
    return { idp, as: await discoverAuthorizationServer(idp.issuer, LOOPBACK_POLICY) }
  } catch (error) {
    await idp.close()
    throw error
  }
}
