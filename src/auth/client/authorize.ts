/**
 * The authorization request and its response, as plain functions over values: the request
 * carries PKCE S256 (PKCE-1, PKCE-2), a random `state` (STATE-1), `resource` (RES-1) and the
 * scope chosen per SCOPE-1; the pending request records the issuer it was sent to (ISS-1), so
 * the response's `iss` can be checked before the code goes anywhere (ISS-3, RFC 9207).
 * @see RFC 6749 §4.1.1, §4.1.2
 * @see RFC 9207 §2.4
 */
import { constantTimeEqual } from '../protocol/index.js'
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { AuthorizationError, describeOAuthError } from './authorize-errors.js'
import { createPkce, createState } from './pkce.js'

/** What an authorization request is about. */
export interface AuthorizationRequestInput {
  readonly authorizationServer: {
    readonly issuer: string
    readonly metadata: AuthorizationServerMetadata
  }
  readonly clientId: string
  /** The loopback redirect URI of this login (RFC 8252 §7.3). */
  readonly redirectUri: string
  /** The resource exactly as its metadata published it (RES-1). */
  readonly resource: string
  /** `undefined` or empty: `scope` is omitted (SCOPE-1 ③). */
  readonly scopes?: readonly string[] | undefined
}

/** A sent authorization request: what the response and the token request are checked against. */
export interface PendingAuthorization {
  /** The URL to open; it carries no secret (the verifier stays here). */
  readonly url: URL
  /** The issuer the request went to (ISS-1). */
  readonly issuer: string
  /** Whether the AS advertised `authorization_response_iss_parameter_supported` (ISS-3). */
  readonly issRequired: boolean
  readonly state: string
  readonly verifier: string
  readonly clientId: string
  readonly redirectUri: string
  readonly resource: string
  readonly scopes: readonly string[] | undefined
}

/**
 * Builds the authorization request. The endpoint's own query is kept (RFC 6749 §3.1); the
 * request's parameters replace any of the same name.
 */
export function createAuthorizationRequest(input: AuthorizationRequestInput): PendingAuthorization {
  const { issuer, metadata } = input.authorizationServer
  const pkce = createPkce()
  const state = createState()
  const scopes =
    input.scopes !== undefined && input.scopes.length > 0 ? [...input.scopes] : undefined
  const url = new URL(metadata.authorization_endpoint)
  const params: [string, string][] = [
    ['response_type', 'code'],
    ['client_id', input.clientId],
    ['redirect_uri', input.redirectUri],
    ['code_challenge', pkce.challenge],
    ['code_challenge_method', pkce.method],
    ['state', state],
    ['resource', input.resource],
  ]
  if (scopes !== undefined) params.push(['scope', scopes.join(' ')])
  for (const [name, value] of params) url.searchParams.set(name, value)
  return {
    url,
    issuer,
    issRequired: metadata.authorization_response_iss_parameter_supported === true,
    state,
    verifier: pkce.verifier,
    clientId: input.clientId,
    redirectUri: input.redirectUri,
    resource: input.resource,
    scopes,
  }
}

/**
 * Whether a callback answers this request: exactly one `state`, equal to ours. A callback that
 * does not is discarded, not acted upon (STATE-1): it may be a forged request from a web page.
 */
export function callbackMatchesState(params: URLSearchParams, expected: string): boolean {
  const states = params.getAll('state')
  return states.length === 1 && constantTimeEqual(states[0] ?? '', expected)
}

function single(params: URLSearchParams, name: string): string | undefined {
  const values = params.getAll(name)
  if (values.length > 1) {
    throw new AuthorizationError(
      'invalid_authorization_response',
      `the authorization response repeats the ${name} parameter (RFC 6749 §3.1); it is refused`,
    )
  }
  return values[0]
}

/**
 * Checks an authorization response whose `state` matched and returns the code. In order: `iss`
 * (before anything else is read, so a mix-up answer's `error` is never shown, ISS-3), then
 * `error`, then `code`. The code is never part of a message.
 * @see RFC 9207 §2.4
 * @see RFC 6749 §4.1.2.1
 */
export function readAuthorizationResponse(
  params: URLSearchParams,
  pending: PendingAuthorization,
): string {
  if (!callbackMatchesState(params, pending.state)) {
    throw new AuthorizationError(
      'invalid_authorization_response',
      'the authorization response does not carry the state of this login (STATE-1); it is refused',
    )
  }
  const iss = single(params, 'iss')
  if (iss === undefined && pending.issRequired) {
    throw new AuthorizationError(
      'issuer_mismatch',
      `the authorization response has no iss parameter, but ${pending.issuer} advertises authorization_response_iss_parameter_supported (RFC 9207); the answer is refused as a possible mix-up attack. Try again; if it persists, the authorization server is misconfigured`,
    )
  }
  if (iss !== undefined && iss !== pending.issuer) {
    throw new AuthorizationError(
      'issuer_mismatch',
      `the authorization response comes from the issuer ${JSON.stringify(iss.slice(0, 200))}, not from ${pending.issuer} where this login was sent (RFC 9207); the answer is refused as a possible mix-up attack`,
    )
  }
  const error = single(params, 'error')
  if (error !== undefined) {
    const what = describeOAuthError(error, params.get('error_description'))
    if (error === 'access_denied') {
      throw new AuthorizationError(
        'access_denied',
        `the login was refused at ${pending.issuer} (${what}); log in again and approve the request, or ask the server's operator for access`,
        { oauthError: error },
      )
    }
    throw new AuthorizationError(
      'authorization_failed',
      `the authorization server ${pending.issuer} answered with an error (${what})`,
      { oauthError: error },
    )
  }
  const code = single(params, 'code')
  if (code === undefined || code === '') {
    throw new AuthorizationError(
      'invalid_authorization_response',
      `the authorization response from ${pending.issuer} has neither a code nor an error (RFC 6749 §4.1.2); log in again`,
    )
  }
  return code
}
