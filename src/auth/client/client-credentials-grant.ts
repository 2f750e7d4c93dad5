/**
 * Tokens without a user at the keyboard: the client_credentials grant (client-credentials.ts)
 * or cross-app access (cross-app-access.ts), after the same discovery as a login (PRM, AS
 * metadata checks). The token is stored under (issuer, resource) like a login's; there is no
 * refresh token, so an expired one leads to the same grant again.
 */
import type { DiscoveryResult } from './discovery.js'
import { scopeToRequest } from './discovery.js'
import type { ClientAssertionKey } from './client-assertion.js'
import { requestClientCredentialsToken } from './client-credentials.js'
import { JWT_BEARER_GRANT, requestCrossAppAccessToken } from './cross-app-access.js'
import type { CrossAppAccess } from './cross-app-access.js'
import type { StoreKey, StoredCredentials, TokenStore } from './store/index.js'
import type { ClientFetchPolicy } from './url-policy.js'

/** A non-interactive way to obtain tokens, used instead of a login. */
export type MachineGrant =
  | {
      readonly type: 'client_credentials'
      readonly clientId: string
      readonly clientSecret: string
    }
  | {
      readonly type: 'client_credentials'
      readonly clientId: string
      readonly privateKey: ClientAssertionKey
    }
  | ({ readonly type: 'cross_app_access' } & CrossAppAccess)

/** The OAuth grant type `grant` ends with at the AS (for discovery's `grantType`). */
export function grantTypeOf(grant: MachineGrant | undefined): string | undefined {
  if (grant === undefined) return undefined
  return grant.type === 'cross_app_access' ? JWT_BEARER_GRANT : 'client_credentials'
}

export interface GrantTokenOptions {
  discovery: Pick<
    DiscoveryResult,
    'resource' | 'resourceMetadata' | 'authorizationServer' | 'challengedScopes'
  >
  store: Pick<TokenStore, 'put'>
  policy: ClientFetchPolicy
  grant: MachineGrant
  /** The scopes to request instead of SCOPE-1's choice (a step-up union). */
  scopes?: readonly string[]
  /** Seconds since the epoch (tests). */
  now?: () => number
}

export interface GrantTokenResult {
  key: StoreKey
  credentials: StoredCredentials
  /** The scopes requested (undefined: `scope` was omitted). */
  scopes: string[] | undefined
}

/** Obtains a token with `grant` and stores it. */
export async function obtainGrantToken(options: GrantTokenOptions): Promise<GrantTokenResult> {
  const { discovery, grant } = options
  const requested =
    options.scopes !== undefined
      ? [...new Set(options.scopes)]
      : scopeToRequest(discovery.challengedScopes, discovery.resourceMetadata)
  const scopes = requested === undefined || requested.length === 0 ? undefined : requested
  const context = {
    authorizationServer: discovery.authorizationServer,
    resource: discovery.resource,
    policy: options.policy,
    ...(options.now === undefined ? {} : { now: options.now }),
  }
  const credentials =
    grant.type === 'cross_app_access'
      ? await requestCrossAppAccessToken(context, grant, scopes)
      : await requestClientCredentialsToken(
          context,
          'privateKey' in grant
            ? { clientId: grant.clientId, privateKey: grant.privateKey }
            : { clientId: grant.clientId, clientSecret: grant.clientSecret },
          scopes,
        )
  const key = { issuer: discovery.authorizationServer.issuer, resource: discovery.resource }
  await options.store.put(key, credentials)
  return { key, credentials, scopes }
}
