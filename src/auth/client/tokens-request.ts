/**
 * Form POSTs to the token and revocation endpoints, with the client authentication the
 * registration and the AS allow (TEA-1): `none` (client_id in the body) without a secret;
 * `client_secret_basic` or `client_secret_post` with one. Answers are returned parsed; the
 * callers turn them into results or errors. No message carries a form value.
 * @see RFC 6749 §2.3.1
 * @see RFC 8414 §2 (token_endpoint_auth_methods_supported, default client_secret_basic)
 */
import type { AuthorizationServerMetadata } from './authorization-server-metadata.js'
import { clientRequest } from './fetch.js'
import type { ClientFetchPolicy } from './url-policy.js'

/** The client as the token and revocation endpoints see it. */
export interface TokenEndpointClient {
  readonly client_id: string
  readonly client_secret?: string
  /** The method a registration response named, if any. */
  readonly token_endpoint_auth_method?: string
}

export type ClientAuthMethod = 'none' | 'client_secret_basic' | 'client_secret_post'

const SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post'])

/**
 * The authentication method for `endpoint`: `none` without a secret; else the registered
 * method if it is a secret method; else the first of basic, post that the AS lists (basic when
 * it lists nothing, RFC 8414 §2); else `none`.
 */
export function clientAuthMethod(
  client: TokenEndpointClient,
  metadata: AuthorizationServerMetadata,
  endpoint: 'token' | 'revocation' = 'token',
): ClientAuthMethod {
  if (client.client_secret === undefined) return 'none'
  const registered = client.token_endpoint_auth_method
  if (registered !== undefined && SECRET_METHODS.has(registered)) {
    return registered as ClientAuthMethod
  }
  const listed = metadata[`${endpoint}_endpoint_auth_methods_supported`]
  const supported = Array.isArray(listed) ? listed : metadata.token_endpoint_auth_methods_supported
  if (supported === undefined || supported.includes('client_secret_basic')) {
    return 'client_secret_basic'
  }
  return supported.includes('client_secret_post') ? 'client_secret_post' : 'none'
}

/** application/x-www-form-urlencoded encoding of one value (RFC 6749 Appendix B). */
function formEncode(value: string): string {
  return new URLSearchParams({ v: value }).toString().slice(2)
}

/** The header and body parameters that authenticate the client. */
export function clientAuthentication(
  client: TokenEndpointClient,
  method: ClientAuthMethod,
): { headers: Record<string, string>; params: Record<string, string> } {
  const secret = client.client_secret ?? ''
  if (method === 'client_secret_basic') {
    const pair = `${formEncode(client.client_id)}:${formEncode(secret)}`
    return {
      headers: { authorization: `Basic ${Buffer.from(pair).toString('base64')}` },
      params: {},
    }
  }
  if (method === 'client_secret_post') {
    return { headers: {}, params: { client_id: client.client_id, client_secret: secret } }
  }
  return { headers: {}, params: { client_id: client.client_id } }
}

export interface FormAnswer {
  status: number
  /** The body as a JSON object, when it is one. */
  json: Record<string, unknown> | undefined
}

/** POSTs `params` (plus client authentication) as a form to an AS endpoint. */
export async function postForm(
  endpoint: string,
  what: string,
  params: Record<string, string>,
  auth: { headers: Record<string, string>; params: Record<string, string> },
  policy: ClientFetchPolicy,
): Promise<FormAnswer> {
  const body = new URLSearchParams({ ...params, ...auth.params }).toString()
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    ...auth.headers,
  }
  const answer = await clientRequest(endpoint, { what, method: 'POST', headers, body }, policy)
  let json: Record<string, unknown> | undefined
  try {
    const value: unknown = JSON.parse(answer.body)
    if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
      json = value as Record<string, unknown>
    }
  } catch {
    json = undefined
  }
  return { status: answer.status, json }
}
