/**
 * A usable access token for (issuer, resource): the stored one while it has more than
 * `refreshAheadSeconds` left, else a refreshed one. The refresh is single-flight across
 * processes: under the store's refresh lock the credentials are re-read (another process may
 * have refreshed already), refreshed with the stored registration of the same issuer (TOK-6),
 * and rotated: the new refresh token is durable before the new access token is returned.
 * @see RFC 6749 §6
 */
import { constantTimeEqual } from '../protocol/index.js'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import type { StoreKey, StoredCredentials, TokenStore } from './store/index.js'
import { refreshAccessToken } from './tokens.js'
import type { ClientFetchPolicy } from './url-policy.js'

export interface GetValidTokenOptions {
  store: TokenStore
  authorizationServer: { readonly issuer: string; readonly metadata: AuthorizationServerMetadata }
  /** The resource exactly as its metadata published it (sent on refresh, RES-1). */
  resource: string
  policy: ClientFetchPolicy
  /** Refresh when less than this is left (default 60 s). */
  refreshAheadSeconds?: number
  /**
   * The access token the server just refused (401 `invalid_token`): refresh even though it has
   * not expired, unless the store already holds another one.
   */
  rejectedAccessToken?: string
  /** Seconds since the epoch (tests). */
  now?: () => number
}

function loginRequired(resource: string, why: string): AuthorizationError {
  return new AuthorizationError('login_required', `${why}; log in again: mcp-pa login ${resource}`)
}

/** The store key of a resource at an issuer. */
export function storeKey(issuer: string, resource: string): StoreKey {
  return { issuer, resource }
}

/**
 * Returns credentials whose access token is usable now, refreshing if needed. Rejects with
 * `login_required` when there is nothing to refresh with, or the AS refused the refresh.
 */
export async function getValidToken(options: GetValidTokenOptions): Promise<StoredCredentials> {
  const { store, resource, authorizationServer } = options
  const key = storeKey(authorizationServer.issuer, resource)
  const ahead = options.refreshAheadSeconds ?? 60
  const now = () => options.now?.() ?? Date.now() / 1000
  const rejected = options.rejectedAccessToken
  const usable = (c: StoredCredentials) =>
    c.expires_at - ahead > now() &&
    (rejected === undefined || !constantTimeEqual(c.access_token, rejected))

  const stored = await store.get(key)
  if (stored === undefined) {
    throw loginRequired(resource, `mcp-pa holds no credentials for ${resource} from ${key.issuer}`)
  }
  if (usable(stored)) return stored
  return store.withRefreshLock(key, async (current) => {
    if (current === undefined) {
      throw loginRequired(resource, `the credentials for ${resource} were removed meanwhile`)
    }
    if (usable(current)) return current
    if (current.refresh_token === undefined) {
      const why =
        rejected === undefined ? 'the access token expired' : 'the server refused the access token'
      throw loginRequired(resource, `${why} and ${key.issuer} issued no refresh token`)
    }
    const client = await store.getClient(key.issuer)
    if (client === undefined || client.issuer !== key.issuer) {
      throw loginRequired(resource, `mcp-pa holds no client registration for ${key.issuer}`)
    }
    const context = {
      authorizationServer,
      client,
      resource,
      policy: options.policy,
      ...(options.now ? { now: options.now } : {}),
    }
    const next = await refreshAccessToken(context, {
      refreshToken: current.refresh_token,
      scope: current.scope,
    })
    return store.rotate(key, next)
  })
}
