import { randomToken } from '../../protocol/secrets.js'
import { hashClientSecret, newClientSecret } from '../client-secrets.js'
import { DN_HINT } from '../client-policy.js'
import { parseDistinguishedName } from '../distinguished-name.js'
import { AdminError, CONTROL_CHARS } from './errors.js'

/** Token endpoint authentication methods an administrator may give a client. */
export const ADMIN_CLIENT_AUTH_METHODS = [
  'none',
  'client_secret_basic',
  'client_secret_post',
  'private_key_jwt',
  'tls_client_auth',
] as const
export type AdminClientAuthMethod = (typeof ADMIN_CLIENT_AUTH_METHODS)[number]

/** Grant types an administrator may give a client (`refresh_token` comes with the code). */
export const ADMIN_GRANT_TYPES = ['authorization_code', 'client_credentials'] as const
export type AdminGrantType = (typeof ADMIN_GRANT_TYPES)[number]

/** Where a stored client came from: added here, or registered dynamically (RFC 7591). */
export type ClientOrigin = 'admin' | 'dcr'

/** The payload field that says where a stored client came from. */
export const CLIENT_ORIGIN_FIELD = 'mcp_pa_origin'

/** A client to add; every field is checked by `buildClientMetadata`. */
export interface NewClientInput {
  /** `client_name`; required. */
  name: string
  /** `client_id`: 1-200 of [A-Za-z0-9._:-]; default `mcp-pa-` + 22 random characters. */
  id?: string
  /** Exact redirect URIs: https, or http on 127.0.0.1, [::1] or localhost (any port). */
  redirectUris?: readonly string[]
  /** Default: `none` (public, PKCE), or `client_secret_basic` with `client_credentials`. */
  authMethod?: AdminClientAuthMethod
  /** Default: `authorization_code`. */
  grantTypes?: readonly AdminGrantType[]
  /** With `authorization_code`: also `refresh_token` (default true). */
  refreshTokens?: boolean
  /** Default: `native` when every redirect URI is http on loopback, else `web`. */
  applicationType?: 'native' | 'web'
  /** With `private_key_jwt`: where the client publishes its public keys (https). */
  jwksUri?: string
  /** With `private_key_jwt`: the client's public keys (a JWK set); private keys are refused. */
  jwks?: unknown
  /** With `tls_client_auth`: the certificate subject distinguished name. */
  tlsSubjectDn?: string
}

/** oidc-provider client metadata (RFC 7591 names) as stored, plus our origin field. */
export type ClientMetadata = Record<string, unknown>

/** What the server's configuration allows a client to be. */
export interface ClientPolicy {
  /**
   * The token endpoint authentication methods the server accepts
   * (`authentication.client_auth_methods`); a client with another one could never authenticate.
   * Undefined: not checked.
   */
  enabledAuthMethods?: readonly string[]
}

export interface BuiltClient {
  metadata: ClientMetadata
  /** The plain client secret for `client_secret_*` methods: show it once, it is not stored. */
  secret?: string
}

const CLIENT_ID = /^[A-Za-z0-9._:-]{1,200}$/
const MAX_NAME_CHARS = 200
const MAX_URIS = 20
const MAX_URI_CHARS = 2000
/** The loopback hosts oidc-provider accepts for native clients' http redirect URIs. */
const LOOPBACK_HOSTS: ReadonlySet<string> = new Set(['localhost', '127.0.0.1', '[::1]'])
const SECRET_METHODS: ReadonlySet<string> = new Set(['client_secret_basic', 'client_secret_post'])
/** JWK members that only a private or symmetric key has (RFC 7518 §6). */
const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const
const PUBLIC_KEY_TYPES: ReadonlySet<unknown> = new Set(['EC', 'RSA', 'OKP'])
const MAX_JWKS_KEYS = 20

const invalid = (message: string): AdminError => new AdminError('invalid_input', message)

function checkText(value: unknown, what: string, max: number): string {
  if (typeof value !== 'string') throw invalid(`${what} must be text`)
  const text = value.trim()
  if (text.length === 0) throw invalid(`${what} must not be empty`)
  if ([...text].length > max) throw invalid(`${what} has at most ${max} characters`)
  if (CONTROL_CHARS.test(text)) throw invalid(`${what} must not contain control characters`)
  return text
}

function checkClientId(id: string | undefined): string {
  if (id === undefined) return `mcp-pa-${randomToken(16)}`
  if (typeof id !== 'string' || !CLIENT_ID.test(id)) {
    throw invalid(
      `client id ${JSON.stringify(id)} must be 1-200 characters of letters, digits and . _ : -`,
    )
  }
  return id
}

interface RedirectUri {
  text: string
  /** http on a loopback host. */
  loopbackHttp: boolean
  /** Any scheme on a loopback host. */
  loopbackHost: boolean
}

/** An exact redirect URI: absolute, no fragment or user information, https or loopback http. */
export function checkRedirectUri(value: unknown): RedirectUri {
  if (typeof value !== 'string' || value.length === 0 || value.length > MAX_URI_CHARS) {
    throw invalid(`a redirect URI must be 1-${MAX_URI_CHARS} characters`)
  }
  const shown = JSON.stringify(value)
  if (/\s/u.test(value) || CONTROL_CHARS.test(value)) {
    throw invalid(`redirect URI ${shown} must not contain spaces or control characters`)
  }
  if (value.includes('#')) throw invalid(`redirect URI ${shown} must not have a fragment (#…)`)
  const url = URL.parse(value)
  if (url === null) {
    throw invalid(`redirect URI ${shown} must be an absolute URL, e.g. https://app.example/cb`)
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(`redirect URI ${shown} must not carry a user name or password`)
  }
  const loopbackHost = LOOPBACK_HOSTS.has(url.hostname)
  if (url.protocol === 'http:' && !loopbackHost) {
    throw invalid(
      `redirect URI ${shown} uses plain http on a non-loopback host: use https, or http on 127.0.0.1, [::1] or localhost`,
    )
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw invalid(
      `redirect URI ${shown} must use https (or http on 127.0.0.1, [::1] or localhost); custom schemes are not accepted`,
    )
  }
  return { text: value, loopbackHttp: url.protocol === 'http:', loopbackHost }
}

function checkJwksUri(value: string): string {
  const url = URL.parse(value)
  if (url?.protocol !== 'https:' || url.username !== '' || url.password !== '' || url.hash !== '') {
    throw invalid(
      `the JWKS URI ${JSON.stringify(value)} must be an https URL without user information or fragment`,
    )
  }
  return value
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' &&
  value !== null &&
  !Array.isArray(value) &&
  [Object.prototype, null].includes(Object.getPrototypeOf(value) as object | null)

/** A JWK set of public keys only: a private or symmetric key is refused, never stored. */
export function checkPublicJwks(value: unknown): { keys: Record<string, unknown>[] } {
  if (!isPlainObject(value) || !Array.isArray(value.keys)) {
    throw invalid('the JWKS must be a JSON object with a "keys" array (RFC 7517 §5)')
  }
  if (value.keys.length === 0 || value.keys.length > MAX_JWKS_KEYS) {
    throw invalid(`the JWKS must hold 1-${MAX_JWKS_KEYS} keys`)
  }
  const keys = value.keys.map((key: unknown, index) => {
    if (!isPlainObject(key)) throw invalid(`JWKS key ${index + 1} is not a JSON object`)
    const privateMember = PRIVATE_JWK_MEMBERS.find((member) => member in key)
    if (privateMember !== undefined) {
      throw invalid(
        `JWKS key ${index + 1} is a private or symmetric key (it has "${privateMember}"): give only the public keys; the private key stays with the client`,
      )
    }
    if (!PUBLIC_KEY_TYPES.has(key.kty)) {
      throw invalid(`JWKS key ${index + 1} must have "kty" EC, RSA or OKP`)
    }
    return { ...key }
  })
  return { keys }
}

function grantTypesOf(input: NewClientInput): Set<AdminGrantType> {
  const given = input.grantTypes ?? ['authorization_code']
  if (given.length === 0) throw invalid('a client needs at least one grant type')
  for (const grant of given) {
    if (!(ADMIN_GRANT_TYPES as readonly string[]).includes(grant)) {
      throw invalid(
        `grant type ${JSON.stringify(grant)} must be one of ${ADMIN_GRANT_TYPES.join(', ')}`,
      )
    }
  }
  return new Set(given)
}

function authMethodOf(input: NewClientInput, grants: Set<AdminGrantType>): AdminClientAuthMethod {
  const method =
    input.authMethod ?? (grants.has('client_credentials') ? 'client_secret_basic' : 'none')
  if (!(ADMIN_CLIENT_AUTH_METHODS as readonly string[]).includes(method)) {
    throw invalid(
      `authentication method ${JSON.stringify(method)} must be one of ${ADMIN_CLIENT_AUTH_METHODS.join(', ')}`,
    )
  }
  if (method === 'none' && grants.has('client_credentials')) {
    throw invalid(
      'client_credentials needs a confidential client: choose an authentication method other than none',
    )
  }
  return method
}

/**
 * Refuses a method the server's configuration does not accept: the engine would refuse every
 * request of such a client, so adding it only makes a client that can never authenticate.
 * `defaulted`: the method was not given but chosen by default (the message says so).
 */
export function checkAuthMethodEnabled(
  method: string,
  enabled: readonly string[],
  defaulted = false,
): void {
  if (enabled.includes(method)) return
  const which = defaulted
    ? `the default authentication method ${method}`
    : `authentication method ${method}`
  throw invalid(
    `${which} is not enabled on this server: authentication.client_auth_methods in the configuration allows ${enabled.join(', ')}. Choose one of those, or add ${method} to authentication.client_auth_methods (and restart the server) first`,
  )
}

/**
 * The key material that proves the client: JWKS for private_key_jwt, the DN for mTLS (with
 * certificate-bound access tokens: a stolen token is useless without the certificate's key).
 */
function credentialsOf(input: NewClientInput, method: AdminClientAuthMethod): ClientMetadata {
  const hasJwks = input.jwks !== undefined
  const hasJwksUri = input.jwksUri !== undefined
  if (method !== 'private_key_jwt' && (hasJwks || hasJwksUri)) {
    throw invalid('a JWKS or JWKS URI is only for the private_key_jwt authentication method')
  }
  if (method !== 'tls_client_auth' && input.tlsSubjectDn !== undefined) {
    throw invalid('a certificate subject DN is only for the tls_client_auth authentication method')
  }
  if (method === 'private_key_jwt') {
    if (hasJwks === hasJwksUri) {
      throw invalid('private_key_jwt needs exactly one of a JWKS URI (https) or a JWKS file')
    }
    return hasJwksUri
      ? { jwks_uri: checkJwksUri(input.jwksUri ?? '') }
      : { jwks: checkPublicJwks(input.jwks) }
  }
  if (method === 'tls_client_auth') {
    if (input.tlsSubjectDn === undefined) {
      throw invalid('tls_client_auth needs the client certificate subject DN')
    }
    const dn = checkText(input.tlsSubjectDn, 'the subject DN', 1000)
    if (parseDistinguishedName(dn) === undefined) {
      throw invalid(
        `the subject DN ${JSON.stringify(dn)} is not an RFC 4514 DN: write it ${DN_HINT}`,
      )
    }
    // RFC 8705 §3.4: its access tokens are bound to the certificate it authenticated with.
    return { tls_client_auth_subject_dn: dn, tls_client_certificate_bound_access_tokens: true }
  }
  return {}
}

function applicationTypeOf(
  input: NewClientInput,
  redirects: readonly RedirectUri[],
): 'native' | 'web' {
  const given = input.applicationType
  if (given !== undefined && given !== 'native' && given !== 'web') {
    throw invalid(`application type ${JSON.stringify(given)} must be native or web`)
  }
  const type =
    given ?? (redirects.length > 0 && redirects.every((r) => r.loopbackHttp) ? 'native' : 'web')
  const loopbackHttps = redirects.find((r) => r.loopbackHost && !r.loopbackHttp)
  if (type === 'native' && loopbackHttps !== undefined) {
    throw invalid(
      `redirect URI ${JSON.stringify(loopbackHttps.text)}: a native client's https redirect cannot be on a loopback host; use http://127.0.0.1:<port>/… or application type web`,
    )
  }
  return type
}

/**
 * Checks a client to add and builds its stored metadata (oidc-provider's snake_case RFC 7591
 * fields, `mcp_pa_origin: 'admin'`). For `client_secret_basic` / `client_secret_post` a new
 * secret is made: only its `sha256:` hash goes into the metadata, the secret is returned once.
 * With `policy.enabledAuthMethods`, the method must be one of them.
 * Throws `AdminError` `invalid_input` saying what to change. There is no `scope`: in
 * oidc-provider a client's `scope` only narrows the engine's own OpenID scopes, not the MCP
 * resource's, so the resource scopes a client gets are what the user consents to.
 */
export function buildClientMetadata(
  input: NewClientInput,
  now: number,
  policy: ClientPolicy = {},
): BuiltClient {
  const name = checkText(input.name, 'the client name', MAX_NAME_CHARS)
  const clientId = checkClientId(input.id)
  const grants = grantTypesOf(input)
  const method = authMethodOf(input, grants)
  if (policy.enabledAuthMethods !== undefined) {
    checkAuthMethodEnabled(method, policy.enabledAuthMethods, input.authMethod === undefined)
  }
  const code = grants.has('authorization_code')
  const given = input.redirectUris ?? []
  if (given.length > MAX_URIS) throw invalid(`a client has at most ${MAX_URIS} redirect URIs`)
  const redirects = [...new Set(given)].map(checkRedirectUri)
  if (code && redirects.length === 0) {
    throw invalid('authorization_code needs at least one redirect URI')
  }
  if (!code && redirects.length > 0) {
    throw invalid('redirect URIs are only for the authorization_code grant type')
  }
  const grantTypes = [
    ...(code ? ['authorization_code'] : []),
    ...(code && input.refreshTokens !== false ? ['refresh_token'] : []),
    ...(grants.has('client_credentials') ? ['client_credentials'] : []),
  ]
  const generated = SECRET_METHODS.has(method) ? newClientSecret() : undefined
  const metadata: ClientMetadata = {
    client_id: clientId,
    client_name: name,
    client_id_issued_at: Math.floor(now / 1000),
    application_type: applicationTypeOf(input, redirects),
    grant_types: grantTypes,
    response_types: code ? ['code'] : [],
    redirect_uris: redirects.map((r) => r.text),
    token_endpoint_auth_method: method,
    ...(generated === undefined
      ? {}
      : { client_secret: hashClientSecret(generated), client_secret_expires_at: 0 }),
    ...credentialsOf(input, method),
    [CLIENT_ORIGIN_FIELD]: 'admin' satisfies ClientOrigin,
  }
  return generated === undefined ? { metadata } : { metadata, secret: generated }
}
