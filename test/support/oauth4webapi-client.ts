import * as oauth from 'oauth4webapi'
import { expect } from 'vitest'
import { followAuthorization, type Person } from './builtin-flow.js'
import { CookieJar } from './cookie-jar.js'
import { mcpStatus } from './mcp-http.js'

/**
 * A real OAuth client against the built-in authorization server: oauth4webapi (panva's
 * certified client routines) does discovery, registration, the token, refresh, revocation and
 * introspection requests and checks every response the way a conforming client would, so a
 * test of the server's refusals uses the same requests a real client sends. The server runs on
 * plain http on loopback, hence `allowInsecureRequests` on every request.
 */

export const insecure = { [oauth.allowInsecureRequests]: true } as const

export type Server = oauth.AuthorizationServer
export type Client = oauth.Client

/** RFC 8414 discovery (`/.well-known/oauth-authorization-server`), issuer checked. */
export async function discover(issuer: string): Promise<Server> {
  const url = new URL(issuer)
  const response = await oauth.discoveryRequest(url, { algorithm: 'oauth2', ...insecure })
  return oauth.processDiscoveryResponse(url, response)
}

/**
 * RFC 7591 registration through oauth4webapi (with `bearer` as the initial access token, if
 * given); the registered client, with its `client_secret` if it has one.
 */
export async function registerClient(
  as: Server,
  metadata: Record<string, unknown>,
  bearer?: string,
): Promise<Client> {
  const response = await oauth.dynamicClientRegistrationRequest(as, metadata as Partial<Client>, {
    ...insecure,
    ...(bearer === undefined ? {} : { initialAccessToken: bearer }),
  })
  return (await oauth.processDynamicClientRegistrationResponse(response)) as Client
}

/** A public native client (loopback redirect) for the code flow. */
export const nativeClient = (redirectUri: string) => ({
  client_name: 'oauth4webapi test',
  application_type: 'native',
  redirect_uris: [redirectUri],
  token_endpoint_auth_method: 'none',
  grant_types: ['authorization_code', 'refresh_token'],
  response_types: ['code'],
})

export interface AuthorizationRequest {
  url: URL
  verifier: string
  state: string
  redirectUri: string
}

/** An authorization request URL with S256 PKCE, state and the resource (RFC 8707). */
export async function authorizationRequest(
  as: Server,
  client: Client,
  options: {
    redirectUri: string
    scope: string
    resource?: string
    /** Extra or replacing parameters; `null` removes one. */
    params?: Record<string, string | null>
  },
): Promise<AuthorizationRequest> {
  const verifier = oauth.generateRandomCodeVerifier()
  const state = oauth.generateRandomState()
  const url = new URL(as.authorization_endpoint!)
  url.searchParams.set('client_id', client.client_id)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('redirect_uri', options.redirectUri)
  url.searchParams.set('scope', options.scope)
  url.searchParams.set('state', state)
  url.searchParams.set('code_challenge', await oauth.calculatePKCECodeChallenge(verifier))
  url.searchParams.set('code_challenge_method', 'S256')
  if (options.resource !== undefined) url.searchParams.set('resource', options.resource)
  for (const [name, value] of Object.entries(options.params ?? {})) {
    if (value === null) url.searchParams.delete(name)
    else url.searchParams.set(name, value)
  }
  return { url, verifier, state, redirectUri: options.redirectUri }
}

export interface Authorized extends AuthorizationRequest {
  /** The callback parameters, validated by oauth4webapi (iss and state). */
  params: URLSearchParams
  callback: URL
}

/** The person signs in and consents; the callback is validated as a client would (RFC 9207 `iss`). */
export async function authorize(
  as: Server,
  client: Client,
  person: Person,
  options: { redirectUri: string; scope: string; resource?: string },
): Promise<Authorized> {
  const request = await authorizationRequest(as, client, options)
  const { callback } = await followAuthorization(request.url, person)
  const params = oauth.validateAuthResponse(as, client, callback, request.state)
  return { ...request, params, callback }
}

/** Code → tokens with oauth4webapi (the `resource` sent again, RFC 8707 §2.2). */
export async function redeem(
  as: Server,
  client: Client,
  auth: oauth.ClientAuth,
  authorized: Authorized,
  resource: string,
): Promise<oauth.TokenEndpointResponse> {
  const response = await redeemRequest(as, client, auth, authorized, resource)
  return oauth.processAuthorizationCodeResponse(as, client, response)
}

export function redeemRequest(
  as: Server,
  client: Client,
  auth: oauth.ClientAuth,
  authorized: Pick<Authorized, 'params' | 'redirectUri' | 'verifier'>,
  resource: string,
  verifier: string | typeof oauth.nopkce = authorized.verifier,
): Promise<Response> {
  return oauth.authorizationCodeGrantRequest(
    as,
    client,
    auth,
    authorized.params,
    authorized.redirectUri,
    verifier,
    { ...insecure, additionalParameters: { resource } },
  )
}

export function refreshRequest(
  as: Server,
  client: Client,
  auth: oauth.ClientAuth,
  refreshToken: string,
  resource: string,
): Promise<Response> {
  return oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, {
    ...insecure,
    additionalParameters: { resource },
  })
}

/**
 * The status and OAuth `error` a refused request got, as oauth4webapi parsed it: from the JSON
 * body, from a `WWW-Authenticate` challenge, or (status 0) from an authorization response.
 */
export async function refusal(work: Promise<unknown>): Promise<{ status: number; error: string }> {
  try {
    await work
  } catch (error) {
    if (error instanceof oauth.ResponseBodyError)
      return { status: error.status, error: error.error }
    if (error instanceof oauth.AuthorizationResponseError) return { status: 0, error: error.error }
    if (error instanceof oauth.WWWAuthenticateChallengeError) {
      return { status: error.status, error: error.cause[0]?.parameters.error ?? '' }
    }
    throw error
  }
  throw new Error('the request was expected to be refused, but it succeeded')
}

export { mcpStatus }

/** Polls until the access token is refused at the MCP endpoint (the guard's grant cache, ≤ 10 s). */
export async function expectRefusedWithin(
  resource: string,
  accessToken: string,
  ms = 12_000,
): Promise<void> {
  const deadline = Date.now() + ms
  let status = await mcpStatus(resource, accessToken)
  while (status !== 401 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 250))
    status = await mcpStatus(resource, accessToken)
  }
  expect(status).toBe(401)
}

/** An HTML error page the server showed instead of redirecting (REDIR-4: no open redirect). */
export async function expectErrorPage(response: Response, status = 400): Promise<string> {
  const html = await response.text()
  expect({ status: response.status, location: response.headers.get('location') }).toEqual({
    status,
    location: null,
  })
  expect(response.headers.get('content-type')).toMatch(/^text\/html/)
  return html
}

/** A page of the server's interaction (login or consent), with the form's CSRF token and action. */
export interface Page {
  url: URL
  status: number
  html: string
  csrf: string
  action: URL
}

const unescape = (value: string) => value.replace(/&amp;/g, '&')

/**
 * A browser by hand, for the pages themselves (CSRF, what the consent page shows): follows
 * redirects inside the server's origin with a cookie jar and stops at the first page or at the
 * first redirect elsewhere (the client's callback).
 */
export class Browser {
  readonly jar = new CookieJar()
  readonly origin: string

  constructor(origin: string) {
    this.origin = origin
  }

  async request(url: URL, init: RequestInit = {}): Promise<Response> {
    const response = await fetch(url, {
      ...init,
      redirect: 'manual',
      headers: { ...(init.headers as Record<string, string>), ...this.jar.headers() },
    })
    this.jar.store(response)
    return response
  }

  /** Follows same-origin redirects from `url` (or from `first`, already fetched). */
  async follow(url: URL, first?: Response): Promise<Page | { callback: URL }> {
    let current = url
    let response = first ?? (await this.request(url))
    for (let step = 0; step < 20; step++) {
      const location = response.headers.get('location')
      if (response.status >= 300 && response.status < 400 && location !== null) {
        const target = new URL(location, current)
        if (target.origin !== this.origin) return { callback: target }
        current = target
        response = await this.request(target)
        continue
      }
      const html = await response.text()
      const csrf = /name="csrf" value="([^"]+)"/.exec(html)?.[1]
      const action = /<form method="post" action="([^"]+)"/.exec(html)?.[1]
      if (csrf === undefined || action === undefined) {
        throw new Error(`no form at ${current.pathname} (HTTP ${response.status})`)
      }
      return {
        url: current,
        status: response.status,
        html,
        csrf: unescape(csrf),
        action: new URL(unescape(action), current),
      }
    }
    throw new Error('too many redirects')
  }

  /** Posts a page's form (urlencoded, same-origin unless `headers` say otherwise). */
  submit(page: Page, fields: Record<string, string>, headers: Record<string, string> = {}) {
    return this.request(page.action, {
      method: 'POST',
      headers: {
        'content-type': 'application/x-www-form-urlencoded',
        origin: this.origin,
        ...headers,
      },
      body: new URLSearchParams(fields).toString(),
    })
  }
}

export const isPage = (value: Page | { callback: URL }): value is Page => 'html' in value
