/**
 * RFC 7591 dynamic client registration, kept for authorization servers without client ID
 * metadata documents (DCR-1, deprecated by MCP 2026-07-28). The request registers a native
 * public client (DCR-2: `application_type: native`; RT-3: `refresh_token` in `grant_types`) with
 * the loopback redirect URI of this login; a refusal becomes a message that says what to do
 * (DCR-3). The response may carry a client secret: it is returned to be stored, never shown.
 * @see RFC 7591 §2, §3.1, §3.2
 */
import { AuthorizationError, describeOAuthError } from './authorize-errors.js'
import { clientRequest } from './fetch.js'
import { ClientFetchError, endpointName } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

export interface DynamicRegistrationRequest {
  issuer: string
  registrationEndpoint: string
  redirectUri: string
  policy: ClientFetchPolicy
  clientName?: string
}

/** What a registration gave: the fields of a ClientRegistration except the date. */
export interface DynamicRegistration {
  issuer: string
  client_id: string
  client_secret?: string
  method: 'dynamic_registration'
  redirect_uris: string[]
  token_endpoint_auth_method?: string
}

/** The client metadata sent (RFC 7591 §2). */
export function registrationBody(redirectUri: string, clientName = 'mcp-pa') {
  return {
    client_name: clientName,
    application_type: 'native',
    redirect_uris: [redirectUri],
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    token_endpoint_auth_method: 'none',
  }
}

const nonEmpty = (value: unknown): value is string => typeof value === 'string' && value.length > 0

/** Absent, or a non-empty string. */
const optional = (value: unknown) => typeof value === 'undefined' || nonEmpty(value)

function parseObject(body: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(body)
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined
  } catch {
    return undefined
  }
}

/**
 * Registers mcp-pa at `registrationEndpoint` (already checked by discovery, checked again by
 * the request). Accepts 201 (RFC 7591 §3.2.1) and 200; needs a non-empty `client_id`.
 */
export async function registerDynamicClient(
  request: DynamicRegistrationRequest,
): Promise<DynamicRegistration> {
  const where = `the registration endpoint of ${request.issuer}`
  const failed = (
    text: string,
    extra: { oauthError?: string; status?: number; cause?: unknown } = {},
  ) => new AuthorizationError('registration_failed', text, extra)
  let answer
  try {
    answer = await clientRequest(
      request.registrationEndpoint,
      {
        what: where,
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(registrationBody(request.redirectUri, request.clientName)),
      },
      request.policy,
    )
  } catch (error) {
    if (!(error instanceof ClientFetchError)) throw error
    throw failed(`could not register mcp-pa: ${error.message}`, { cause: error })
  }
  const document = parseObject(answer.body)
  const at = endpointName(new URL(request.registrationEndpoint))
  if (answer.status !== 200 && answer.status !== 201) {
    const error = typeof document?.error === 'string' ? document.error : undefined
    const said =
      error === undefined
        ? `HTTP ${answer.status}`
        : describeOAuthError(error, document?.error_description)
    throw failed(
      `${at} refused to register mcp-pa (${said}). Register a public client with redirect URI http://127.0.0.1/callback at ${request.issuer} yourself and pass its ID with --client-id`,
      { status: answer.status, ...(error === undefined ? {} : { oauthError: error }) },
    )
  }
  if (
    document === undefined ||
    typeof document.client_id !== 'string' ||
    document.client_id === ''
  ) {
    throw failed(`${at} answered HTTP ${answer.status} without a client_id (RFC 7591 §3.2.1)`)
  }
  const secret = document.client_secret
  if (!optional(secret)) {
    throw failed(`${at} answered with a client_secret that is not a non-empty string`)
  }
  const method = document.token_endpoint_auth_method
  return {
    issuer: request.issuer,
    client_id: document.client_id,
    ...(typeof secret === 'string' ? { client_secret: secret } : {}),
    method: 'dynamic_registration',
    redirect_uris: [request.redirectUri],
    ...(typeof method === 'string' ? { token_endpoint_auth_method: method } : {}),
  }
}
