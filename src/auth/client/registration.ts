/**
 * Which client_id to use at an authorization server (REG-2), in this order:
 * 1. pre-registered credentials given by the user (PRE-1), checked against the issuer (BIND-2);
 * 2. credentials the user pre-registered earlier for this very issuer (stored, BIND-1);
 * 3. a client ID metadata document, when the AS says `client_id_metadata_document_supported`
 *    (CIMD-1, CIMD-9): the client_id is the document's URL;
 * 4. a dynamic registration stored for this issuer, else a new one (RFC 7591, DCR-2, DCR-3);
 * 5. an error saying how to pre-register.
 * Registrations are stored per issuer and only ever looked up by the issuer they were made at,
 * so a client_id or a secret never reaches another AS (TOK-6, BIND-1).
 */
import type { DiscoveredAuthorizationServer } from './authorization-server-metadata.js'
import { AuthorizationError } from './authorize-errors.js'
import { registerDynamicClient } from './registration-dynamic.js'
import type { ClientRegistration, TokenStore } from './store/index.js'
import type { ClientFetchPolicy } from './url-policy.js'

/** The document mcp-pa publishes (docs/client-metadata.json in the repository). */
export const DEFAULT_CLIENT_METADATA_URL = 'https://mcp-pa.github.io/mcp-pa/client-metadata.json'

/** A client registration, plus the token endpoint auth method the AS registered (DCR only). */
export interface ChosenClient extends ClientRegistration {
  /** From a registration response; not stored (the store keeps ClientRegistration fields). */
  token_endpoint_auth_method?: string
}

/** Credentials the user registered at an AS themselves (`--client-id`, `--client-secret`). */
export interface PreRegisteredClient {
  clientId: string
  clientSecret?: string
  /** The issuer they were registered at, when known: must be the discovered one (BIND-2). */
  issuer?: string
}

export interface ChooseClientOptions {
  store: Pick<TokenStore, 'getClient' | 'putClient'>
  authorizationServer: Pick<DiscoveredAuthorizationServer, 'issuer' | 'metadata'>
  /** The loopback redirect URI of this login. */
  redirectUri: string
  policy: ClientFetchPolicy
  preRegistered?: PreRegisteredClient
  /** The client ID metadata document URL; `false` turns CIMD off. */
  clientMetadataUrl?: string | false
  /** Seconds since the epoch (tests). */
  now?: () => number
}

/**
 * Checks a client ID metadata document URL (CIMD-2, CIMD-3, draft-ietf-oauth-client-id-metadata-
 * document §3): https, a path, no fragment, no user information, no `.` or `..` segment. The
 * raw text is checked: the URL parser would silently remove dot segments.
 */
export function checkClientMetadataUrl(value: string): string {
  const bad = (why: string) =>
    new AuthorizationError(
      'invalid_client_metadata_url',
      `the client metadata document URL ${JSON.stringify(value.slice(0, 200))} ${why} (client ID metadata documents, CIMD-3)`,
    )
  if (!URL.canParse(value)) throw bad('is not an absolute URL')
  const url = new URL(value)
  if (url.protocol !== 'https:' || !/^https:\/\//i.test(value)) throw bad('must use https')
  if (url.username !== '' || url.password !== '' || /^https:\/\/[^/?#]*@/i.test(value)) {
    throw bad('must not carry user information')
  }
  if (value.includes('#')) throw bad('must not have a fragment')
  const rawPath = /^https:\/\/[^/?#]*(\/[^?#]*)?/i.exec(value)?.[1] ?? ''
  if (rawPath === '' || rawPath === '/') throw bad('must have a path')
  if (rawPath.split('/').some((s) => /^(\.|%2e){1,2}$/i.test(s))) {
    throw bad('must not contain . or .. path segments')
  }
  return value
}

function preRegistered(
  given: PreRegisteredClient,
  issuer: string,
  redirectUri: string,
  registeredAt: number,
): ChosenClient {
  if (given.issuer !== undefined && given.issuer !== issuer) {
    throw new AuthorizationError(
      'client_issuer_mismatch',
      `the client credentials given are for ${given.issuer}, but this server now uses the authorization server ${issuer}; they are not sent there (BIND-2). Register mcp-pa with ${issuer} and pass its client ID`,
    )
  }
  if (typeof given.clientId !== 'string' || given.clientId === '') {
    throw new TypeError('a pre-registered client needs a non-empty client ID')
  }
  return {
    issuer,
    client_id: given.clientId,
    ...(given.clientSecret === undefined || given.clientSecret === ''
      ? {}
      : { client_secret: given.clientSecret }),
    method: 'pre_registered',
    redirect_uris: [redirectUri],
    registered_at: registeredAt,
  }
}

function unavailable(issuer: string): AuthorizationError {
  return new AuthorizationError(
    'registration_unavailable',
    `the authorization server ${issuer} offers neither client ID metadata documents nor dynamic client registration, so mcp-pa cannot register itself. Register a public client there (redirect URI http://127.0.0.1/callback, grant types authorization_code and refresh_token, PKCE) and pass its ID with --client-id (and its secret with --client-secret-env NAME or --client-secret-prompt if it issued one)`,
  )
}

/**
 * Chooses (and stores, for this issuer only) the client to log in with. See the module comment
 * for the order. The stored registration of another issuer is never read.
 * @see RFC 7591 §3
 */
export async function chooseClient(options: ChooseClientOptions): Promise<ChosenClient> {
  const { issuer, metadata } = options.authorizationServer
  const now = Math.floor(options.now?.() ?? Date.now() / 1000)
  const save = async (client: ChosenClient) => {
    const { token_endpoint_auth_method: _method, ...registration } = client
    await options.store.putClient(registration)
    return client
  }
  if (options.preRegistered !== undefined) {
    return save(preRegistered(options.preRegistered, issuer, options.redirectUri, now))
  }
  const stored = await options.store.getClient(issuer)
  if (stored?.issuer === issuer && stored.method === 'pre_registered') return stored
  const documentUrl = options.clientMetadataUrl ?? DEFAULT_CLIENT_METADATA_URL
  if (documentUrl !== false && metadata.client_id_metadata_document_supported === true) {
    const client_id = checkClientMetadataUrl(documentUrl)
    if (stored?.method === 'client_id_metadata_document' && stored.client_id === client_id) {
      return stored
    }
    const redirect_uris = [options.redirectUri]
    return save({
      issuer,
      client_id,
      method: 'client_id_metadata_document',
      redirect_uris,
      registered_at: now,
    })
  }
  if (stored?.issuer === issuer && stored.method === 'dynamic_registration') return stored
  if (metadata.registration_endpoint === undefined) throw unavailable(issuer)
  const registered = await registerDynamicClient({
    issuer,
    registrationEndpoint: metadata.registration_endpoint,
    redirectUri: options.redirectUri,
    policy: options.policy,
  })
  return save({ ...registered, registered_at: now })
}
