/**
 * The client_credentials grant (RFC 6749 §4.4; MCP's client credentials extension, SEP-1046)
 * for machine-to-machine access: no user, no browser, no redirect. The client authenticates
 * with a secret (`client_secret_basic` or `client_secret_post`, as the AS metadata allows) or a
 * signed JWT (`private_key_jwt`, RFC 7523 §2.2). `resource` is always sent (RFC 8707 §2.2) and
 * `scope` follows the discovery rules (SCOPE-1) unless the caller names scopes. No refresh token
 * is expected: when the token expires the grant is simply requested again.
 * Also the token request shared with the cross-app access grant (cross-app-access.ts): POST,
 * answer validation and error messages that never quote a secret or an assertion.
 * @see RFC 6749 §4.4
 * @see RFC 7523 §2.2
 * @see RFC 8707 §2.2
 */
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError, describeOAuthError } from './authorize-errors.js'
import { CLIENT_ASSERTION_TYPE, signClientAssertion } from './client-assertion.js'
import type { ClientAssertionKey } from './client-assertion.js'
import type { StoredCredentials } from './store/index.js'
import { readTokenResponse } from './tokens.js'
import { clientAuthentication, clientAuthMethod, postForm } from './tokens-request.js'
import type { FormAnswer } from './tokens-request.js'
import { ClientFetchError } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

export const CLIENT_CREDENTIALS_GRANT = 'client_credentials'

/** How the client proves who it is: a shared secret or a private key. */
export type ClientCredentials =
  | { readonly clientId: string; readonly clientSecret: string }
  | { readonly clientId: string; readonly privateKey: ClientAssertionKey }

/** Client authentication at a token endpoint: headers plus form parameters. */
export interface ClientAuth {
  headers: Record<string, string>
  params: Record<string, string>
  /** Values no message may show (the secret, the assertion); not sent. */
  secrets?: string[]
}

export interface GrantContext {
  readonly authorizationServer: {
    readonly issuer: string
    readonly metadata: AuthorizationServerMetadata
  }
  /** The resource exactly as its metadata published it (RES-1). */
  readonly resource: string
  readonly policy: ClientFetchPolicy
  /** Seconds since the epoch (tests). */
  readonly now?: () => number
}

/**
 * The client authentication for `credentials` at the AS: `private_key_jwt` with a key (the
 * assertion's audience is the issuer); with a secret, `client_secret_basic` unless the AS lists
 * only `client_secret_post` (RFC 8414 §2 default: basic).
 */
export async function authenticateClient(
  credentials: ClientCredentials,
  authorizationServer: GrantContext['authorizationServer'],
  now?: number,
): Promise<ClientAuth> {
  if ('privateKey' in credentials) {
    const assertion = await signClientAssertion(
      credentials.privateKey,
      credentials.clientId,
      authorizationServer.issuer,
      now,
    )
    return {
      headers: {},
      params: { client_assertion_type: CLIENT_ASSERTION_TYPE, client_assertion: assertion },
      secrets: [assertion],
    }
  }
  return secretAuthentication(credentials.clientId, credentials.clientSecret, authorizationServer)
}

/** `client_secret_basic`, or `client_secret_post` when the AS lists only that. */
export function secretAuthentication(
  clientId: string,
  clientSecret: string,
  authorizationServer?: Pick<GrantContext['authorizationServer'], 'metadata'>,
): ClientAuth {
  const client = { client_id: clientId, client_secret: clientSecret }
  const method =
    authorizationServer === undefined
      ? 'client_secret_basic'
      : clientAuthMethod(client, authorizationServer.metadata)
  const auth = clientAuthentication(client, method === 'none' ? 'client_secret_basic' : method)
  return { ...auth, secrets: [clientSecret, auth.headers.authorization ?? ''] }
}

/** The values a message must never show: secrets, assertions, subject tokens. */
export function secretValues(auth: ClientAuth, params: Record<string, string>): string[] {
  const values = [
    ...(auth.secrets ?? []),
    auth.headers.authorization ?? '',
    auth.params.client_secret ?? '',
    auth.params.client_assertion ?? '',
    params.assertion ?? '',
    params.subject_token ?? '',
  ]
  return values.filter((v) => v !== '')
}

/** Why a token endpoint refused: a safe message, with a hint for `invalid_client`. */
export function refusal(
  answer: FormAnswer,
  endpoint: string,
  secrets: readonly string[],
  hints: { invalidClient: string; invalidTarget?: string },
): AuthorizationError {
  const error = typeof answer.json?.error === 'string' ? answer.json.error : undefined
  const said =
    error === undefined
      ? `HTTP ${answer.status}`
      : describeOAuthError(error, answer.json?.error_description, secrets)
  const hint =
    error === 'invalid_client'
      ? `. ${hints.invalidClient}`
      : error === 'invalid_target' && hints.invalidTarget !== undefined
        ? `. ${hints.invalidTarget}`
        : error === 'unsupported_grant_type'
          ? '. It does not offer this grant type'
          : ''
  return new AuthorizationError(
    'token_request_failed',
    `${endpoint} refused the request (${said})${hint}`,
    { status: answer.status, ...(error === undefined ? {} : { oauthError: error }) },
  )
}

/** POSTs a form, turning transport failures into `token_request_failed`. */
export async function postTokenRequest(
  endpoint: string,
  what: string,
  params: Record<string, string>,
  auth: ClientAuth,
  policy: ClientFetchPolicy,
): Promise<FormAnswer> {
  try {
    return await postForm(endpoint, what, params, auth, policy)
  } catch (error) {
    if (!(error instanceof ClientFetchError)) throw error
    throw new AuthorizationError('token_request_failed', error.message, { cause: error })
  }
}

/**
 * A grant at the AS token endpoint that ends in an access token: `params` plus `resource` and
 * the scopes (omitted when undefined), authenticated with `auth`.
 */
export async function requestAccessToken(
  context: GrantContext,
  params: Record<string, string>,
  auth: ClientAuth,
  scopes: readonly string[] | undefined,
): Promise<StoredCredentials> {
  const { issuer, metadata } = context.authorizationServer
  const body = {
    ...params,
    ...(scopes === undefined || scopes.length === 0 ? {} : { scope: scopes.join(' ') }),
    resource: context.resource,
  }
  const what = `the token endpoint of ${issuer}`
  const answer = await postTokenRequest(metadata.token_endpoint, what, body, auth, context.policy)
  const now = context.now?.() ?? Date.now() / 1000
  if (answer.status === 200) {
    return readTokenResponse(answer.json, issuer, (scopes ?? []).join(' '), now)
  }
  throw refusal(answer, what, secretValues(auth, params), {
    invalidClient:
      'The client credentials were refused: check the client ID and its secret or private key (and the signing algorithm)',
    invalidTarget: `The authorization server does not issue tokens for ${context.resource}`,
  })
}

/** Requests a token with the client_credentials grant (RFC 6749 §4.4.2). */
export async function requestClientCredentialsToken(
  context: GrantContext,
  credentials: ClientCredentials,
  scopes: readonly string[] | undefined,
): Promise<StoredCredentials> {
  const auth = await authenticateClient(credentials, context.authorizationServer, context.now?.())
  return requestAccessToken(context, { grant_type: CLIENT_CREDENTIALS_GRANT }, auth, scopes)
}
