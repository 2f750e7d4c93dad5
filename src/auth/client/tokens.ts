/**
 * The token endpoint: the authorization_code grant (with `code_verifier`, `redirect_uri` and
 * `resource`: PKCE-1, RES-1) and the refresh_token grant (with `resource`, our reading of RES-1),
 * and the validation of their answers: a Bearer token (case-insensitive, RFC 6749 §7.1),
 * `expires_in` turned into `expires_at`, the granted scope (the requested one when omitted,
 * RFC 6749 §5.1), an optional refresh token (RT-5). `invalid_grant` on refresh means the login
 * is over: `login_required`, "log in again".
 * @see RFC 6749 §4.1.3, §5.1, §5.2, §6
 * @see RFC 8707 §2.2
 */
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError, describeOAuthError } from './authorize-errors.js'
import type { StoredCredentials } from './store/index.js'
import { clientAuthentication, clientAuthMethod, postForm } from './tokens-request.js'
import type { TokenEndpointClient } from './tokens-request.js'
import { ClientFetchError } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

/** Lifetime assumed when the AS omits `expires_in` (RFC 6749 §5.1 makes it a RECOMMENDED). */
export const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600

/** Everything a token request needs besides the grant. */
export interface TokenContext {
  readonly authorizationServer: {
    readonly issuer: string
    readonly metadata: AuthorizationServerMetadata
  }
  readonly client: TokenEndpointClient
  /** The resource exactly as its metadata published it (RES-1). */
  readonly resource: string
  readonly policy: ClientFetchPolicy
  /** Seconds since the epoch (tests). */
  readonly now?: () => number
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0

const clean = (scope: string) => [...new Set(scope.split(' ').filter((s) => s !== ''))].join(' ')

/**
 * Validates a successful token response. `fallbackScope` is what was requested (or held): the
 * granted scope when the answer names none.
 */
export function readTokenResponse(
  json: Record<string, unknown> | undefined,
  issuer: string,
  fallbackScope: string,
  now: number,
): StoredCredentials {
  const bad = (what: string) =>
    new AuthorizationError(
      'invalid_token_response',
      `the token endpoint of ${issuer} answered with ${what}; no token was stored`,
    )
  if (json === undefined) throw bad('something that is not a JSON object')
  const { access_token, token_type, expires_in, refresh_token, scope } = json
  if (!nonEmpty(access_token)) throw bad('no access_token')
  if (typeof token_type !== 'string' || token_type.toLowerCase() !== 'bearer') {
    const type = typeof token_type === 'string' ? JSON.stringify(token_type.slice(0, 20)) : 'none'
    throw bad(`the token_type ${type}; mcp-pa uses Bearer tokens only`)
  }
  const lifetime =
    expires_in === undefined
      ? DEFAULT_TOKEN_LIFETIME_SECONDS
      : typeof expires_in === 'number' ||
          (typeof expires_in === 'string' && /^\d+$/.test(expires_in))
        ? Number(expires_in)
        : Number.NaN
  if (!Number.isFinite(lifetime) || lifetime < 0)
    throw bad('an expires_in that is not a number of seconds')
  if (!(typeof refresh_token === 'undefined' || nonEmpty(refresh_token))) {
    throw bad('a refresh_token that is not a non-empty string')
  }
  if (scope !== undefined && typeof scope !== 'string') throw bad('a scope that is not a string')
  const credentials: StoredCredentials = {
    access_token,
    expires_at: Math.floor(now + lifetime),
    scope: clean(scope ?? fallbackScope),
    token_type: 'Bearer',
  }
  if (nonEmpty(refresh_token)) credentials.refresh_token = refresh_token
  return credentials
}

/** POSTs a grant and returns the validated credentials, or throws a clear error. */
async function grant(
  context: TokenContext,
  params: Record<string, string>,
  fallbackScope: string,
  secrets: readonly string[],
): Promise<StoredCredentials> {
  const { issuer, metadata } = context.authorizationServer
  const method = clientAuthMethod(context.client, metadata)
  const auth = clientAuthentication(context.client, method)
  const all = [...secrets, context.client.client_secret ?? '']
  let answer
  try {
    const body = { ...params, resource: context.resource }
    answer = await postForm(
      metadata.token_endpoint,
      `the token endpoint of ${issuer}`,
      body,
      auth,
      context.policy,
    )
  } catch (error) {
    if (!(error instanceof ClientFetchError)) throw error
    throw new AuthorizationError('token_request_failed', error.message, { cause: error })
  }
  const now = context.now?.() ?? Date.now() / 1000
  if (answer.status === 200) return readTokenResponse(answer.json, issuer, fallbackScope, now)
  const error = typeof answer.json?.error === 'string' ? answer.json.error : undefined
  const said =
    error === undefined
      ? `HTTP ${answer.status}`
      : describeOAuthError(error, answer.json?.error_description, all)
  const options = { status: answer.status, ...(error === undefined ? {} : { oauthError: error }) }
  if (
    params.grant_type === 'refresh_token' &&
    (error === 'invalid_grant' || error === 'unauthorized_client')
  ) {
    throw new AuthorizationError(
      'login_required',
      `${issuer} no longer accepts the stored refresh token (${said}); log in again`,
      options,
    )
  }
  const hint =
    error === 'invalid_client'
      ? '. The client credentials were refused: check --client-id and the secret given with --client-secret-env or --client-secret-prompt, or log out and log in again to register anew'
      : error === 'invalid_target'
        ? `. The authorization server does not issue tokens for ${context.resource}`
        : ''
  throw new AuthorizationError(
    'token_request_failed',
    `the token endpoint of ${issuer} refused the request (${said})${hint}`,
    options,
  )
}

/** Exchanges an authorization code (RFC 6749 §4.1.3, RFC 7636 §4.5, RFC 8707 §2.2). */
export function exchangeAuthorizationCode(
  context: TokenContext,
  request: {
    code: string
    verifier: string
    redirectUri: string
    /** The scopes requested: the granted scope when the answer names none. */
    scopes: readonly string[] | undefined
  },
): Promise<StoredCredentials> {
  const params = {
    grant_type: 'authorization_code',
    code: request.code,
    code_verifier: request.verifier,
    redirect_uri: request.redirectUri,
  }
  return grant(context, params, (request.scopes ?? []).join(' '), [request.code, request.verifier])
}

/**
 * Refreshes (RFC 6749 §6) without `scope`, so the grant keeps its scope. The answer may carry
 * no refresh token: the store's `rotate` then keeps the old one.
 */
export function refreshAccessToken(
  context: TokenContext,
  request: { refreshToken: string; scope: string },
): Promise<StoredCredentials> {
  const params = { grant_type: 'refresh_token', refresh_token: request.refreshToken }
  return grant(context, params, request.scope, [request.refreshToken])
}
