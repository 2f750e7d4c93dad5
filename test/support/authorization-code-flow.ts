import { createHash, randomBytes } from 'node:crypto'
import { CookieJar } from './cookie-jar.js'

/** A public client of the test IdP and the endpoints it talks to. */
export interface PublicClient {
  issuer: string
  authorizationEndpoint: string
  tokenEndpoint: string
  clientId: string
  redirectUri: string
}

export interface CodeFlowRequest {
  scopes: readonly string[]
  resource: string
  /** Chosen by the caller, who uses it to tell the interaction route which user logs in. */
  state: string
}

const MAX_HOPS = 10

async function describeFailure(step: string, response: Response): Promise<Error> {
  const body = (await response.text()).slice(0, 500)
  return new Error(`authorization code flow: ${step} answered HTTP ${response.status}: ${body}`)
}

/** Follows the redirect chain by hand until the IdP redirects to the client's redirect URI. */
async function authorize(client: PublicClient, request: CodeFlowRequest, challenge: string) {
  const jar = new CookieJar()
  let url = new URL(client.authorizationEndpoint)
  url.search = new URLSearchParams({
    client_id: client.clientId,
    response_type: 'code',
    redirect_uri: client.redirectUri,
    scope: request.scopes.join(' '),
    resource: request.resource,
    state: request.state,
    code_challenge: challenge,
    code_challenge_method: 'S256',
  }).toString()

  for (let hop = 0; hop < MAX_HOPS; hop += 1) {
    const response = await fetch(url, { redirect: 'manual', headers: jar.headers() })
    jar.store(response)
    const location = response.headers.get('location')
    if (response.status < 300 || response.status > 399 || location === null) {
      throw await describeFailure(url.pathname, response)
    }
    await response.body?.cancel()
    const next = new URL(location, url)
    if (`${next.origin}${next.pathname}` !== client.redirectUri) {
      url = next
      continue
    }
    const params = next.searchParams
    if (params.has('error')) {
      throw new Error(
        `authorization code flow: ${params.get('error')}: ${params.get('error_description')}`,
      )
    }
    if (params.get('state') !== request.state) throw new Error('state mismatch')
    const iss = params.get('iss')
    if (iss !== null && iss !== client.issuer) throw new Error(`iss mismatch: ${iss}`)
    const code = params.get('code')
    if (code === null) throw new Error('authorization code flow: no code in the redirect')
    return code
  }
  throw new Error(`authorization code flow: more than ${MAX_HOPS} redirects`)
}

/**
 * Runs authorization_code + PKCE (S256) over HTTP against a real authorization server, with
 * `resource` (RFC 8707) on both the authorization and the token request, and returns the
 * access token.
 */
export async function authorizationCodeToken(
  client: PublicClient,
  request: CodeFlowRequest,
): Promise<string> {
  const verifier = randomBytes(32).toString('base64url')
  const challenge = createHash('sha256').update(verifier).digest('base64url')
  const code = await authorize(client, request, challenge)

  const response = await fetch(client.tokenEndpoint, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'authorization_code',
      code,
      redirect_uri: client.redirectUri,
      code_verifier: verifier,
      client_id: client.clientId,
      resource: request.resource,
    }),
  })
  if (!response.ok) throw await describeFailure('the token endpoint', response)
  const body = (await response.json()) as { access_token?: unknown }
  if (typeof body.access_token !== 'string') throw new Error('token response without access_token')
  return body.access_token
}
