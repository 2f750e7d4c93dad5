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
 * What the CLI OAuth client's tests add to the IdP (all off by default, so the resource-server
 * suites see the IdP unchanged).
 */
export interface ClientFlowConfiguration {
  /** RFC 7591 dynamic registration at `/reg`, open (no initial access token). */
  registration?: boolean
  /**
   * Client ID metadata documents (oidc-provider's experimental draft-02 feature), served from
   * this table (document URL → JSON) by the provider's `fetch` hook: no network.
   */
  clientMetadataDocuments?: Readonly<Record<string, unknown>>
  /** More static clients (client metadata as oidc-provider takes it). */
  clients?: readonly Record<string, unknown>[]
}

/** Answers the provider's document fetches from the table; anything else is a 404. */
function documentFetch(documents: Readonly<Record<string, unknown>>) {
  return async (url: string | URL) => {
    const document = documents[String(url)]
    if (document === undefined) return new Response('not found', { status: 404 })
    return Response.json(document, { headers: { 'cache-control': 'max-age=60' } })
  }
}

/**
 * The feature flags and hooks a {@link ClientFlowConfiguration} turns on. Refresh tokens go to
 * every client allowed the grant, as from a plain OAuth 2.1 server: oidc-provider's default
 * follows OpenID Connect (only for `offline_access` with `prompt=consent`), which an MCP client
 * has no reason to send.
 */
function clientFlowFeatures(flows: ClientFlowConfiguration) {
  const documents = flows.clientMetadataDocuments
  const issueRefreshToken = async (
    _ctx: unknown,
    client: { grantTypeAllowed(type: string): boolean },
  ) => client.grantTypeAllowed('refresh_token')
  return {
    features:
      documents === undefined
        ? {}
        : { clientIdMetadataDocument: { enabled: true, ack: 'draft-02' } },
    hooks: {
      issueRefreshToken,
      ...(documents === undefined ? {} : { fetch: documentFetch(documents) }),
    },
  }
}

/**
 * Two public PKCE clients with a loopback redirect (JWT and opaque access tokens), one confidential
 * client for introspection, custom interactions at `/interaction/:uid` (served by the harness),
 * in-memory storage (oidc-provider's development adapter) and the given private signing keys.
 * With `flows` (the CLI client's tests): dynamic registration, client ID metadata documents and
 * more static clients; every client but the JWT one then gets opaque (revocable) access tokens.
 */
export function configuration(
  keys: JWK[],
  introspectionSecret: string,
  ttl: number,
  flows?: ClientFlowConfiguration,
): Record<string, unknown> {
  const sameClient = (_ctx: unknown, client: { clientId: string }, token: { clientId: string }) =>
    client.clientId === token.clientId
  const opaque = (clientId: string) =>
    flows === undefined ? clientId === OPAQUE_CLIENT_ID : clientId !== JWT_CLIENT_ID
  const extra = flows === undefined ? { features: {}, hooks: {} } : clientFlowFeatures(flows)
  return {
    ...extra.hooks,
    clients: [
      ...(flows?.clients ?? []),
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
    ttl: {
      AccessToken: ttl,
      ClientCredentials: ttl,
      Grant: 3600,
      Interaction: 600,
      RefreshToken: 86_400,
      Session: 3600,
    },
    features: {
      ...extra.features,
      ...(flows?.registration === true ? { registration: { enabled: true } } : {}),
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
          return opaque(client.clientId)
            ? { ...info, accessTokenFormat: 'opaque' }
            : { ...info, accessTokenFormat: 'jwt', jwt: { sign: { alg: 'ES256' } } }
        },
      },
    },
  }
}
