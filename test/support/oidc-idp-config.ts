import { randomBytes } from 'node:crypto'
import type { JWK } from 'jose'

/** The scopes every resource served by the test IdP accepts. */
export const RESOURCE_SCOPES = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']

/** Public client (PKCE, loopback redirect) whose access tokens are JWTs. */
export const JWT_CLIENT_ID = 'mcp-pa-test-client'
/** Public client whose access tokens are opaque: oidc-provider only introspects opaque tokens. */
export const OPAQUE_CLIENT_ID = 'mcp-pa-test-client-opaque'
export const INTROSPECTION_CLIENT_ID = 'mcp-pa-resource-server'
/** Never listened on: the flow reads the code from the `Location` header. */
export const REDIRECT_URI = 'http://127.0.0.1/callback'

function publicClient(clientId: string) {
  return {
    client_id: clientId,
    application_type: 'native',
    token_endpoint_auth_method: 'none',
    redirect_uris: [REDIRECT_URI],
    grant_types: ['authorization_code'],
    response_types: ['code'],
  }
}

/**
 * Two public PKCE clients with a loopback redirect (JWT and opaque access tokens), one confidential
 * client for introspection, custom interactions at `/interaction/:uid` (served by the harness),
 * in-memory storage (oidc-provider's development adapter) and the given private signing keys.
 */
export function configuration(
  keys: JWK[],
  introspectionSecret: string,
  ttl: number,
): Record<string, unknown> {
  const sameClient = (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) =>
    client.clientId === token.clientId
  return {
    clients: [
      publicClient(JWT_CLIENT_ID),
      publicClient(OPAQUE_CLIENT_ID),
      {
        client_id: INTROSPECTION_CLIENT_ID,
        client_secret: introspectionSecret,
        token_endpoint_auth_method: 'client_secret_basic',
        grant_types: ['client_credentials'],
        response_types: [],
        redirect_uris: [],
      },
    ],
    jwks: { keys },
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    findAccount: (_ctx: unknown, sub: string) => ({ accountId: sub, claims: () => ({ sub }) }),
    interactions: {
      url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}`,
    },
    renderError: (ctx: { type: string; body: unknown }, out: unknown) => {
      ctx.type = 'json'
      ctx.body = out
    },
    ttl: { AccessToken: ttl, ClientCredentials: ttl, Grant: 3600, Interaction: 600, Session: 3600 },
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      introspection: {
        enabled: true,
        allowedPolicy: (_ctx: unknown, client: { clientId: string }) =>
          client.clientId === INTROSPECTION_CLIENT_ID,
      },
      revocation: { enabled: true, allowedPolicy: sameClient },
      resourceIndicators: {
        enabled: true,
        // RFC 8707: any absolute URI is a resource whose audience is itself. oidc-provider
        // refuses to introspect or revoke JWTs, so one client gets opaque tokens instead.
        getResourceServerInfo: (_ctx: unknown, resource: string, client: { clientId: string }) => {
          const info = { scope: RESOURCE_SCOPES.join(' '), audience: resource, accessTokenTTL: ttl }
          return client.clientId === OPAQUE_CLIENT_ID
            ? { ...info, accessTokenFormat: 'opaque' }
            : { ...info, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }
        },
      },
    },
  }
}
