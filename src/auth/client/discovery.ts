/**
 * Discovery for the CLI client: from an MCP server URL to the resource identifier, its metadata
 * and one usable authorization server (issue 5, item 2). The order follows the MCP authorization
 * spec (2025-11-25, 2026-07-28): a request without a token for the 401 challenge; protected
 * resource metadata from `resource_metadata`, else path-suffixed, else root (PRM-6), checked
 * against the server (PRM-8); then the listed authorization servers in order, each on its own
 * (PRM-9), with their metadata from the RFC 8414 and OIDC well-known URLs (ASD-2, ASD-3), an
 * identical issuer (ASD-5) and PKCE S256 (PKCE-3).
 *
 * Legacy path (2025-03-26 servers, legacy-discovery.ts). It engages only when the server asked
 * for authorization (401, or a challenge the caller saw), named no `resource_metadata`, and both
 * well-known resource metadata URLs answered 4xx: the server has no protected resource metadata
 * at all. A document that exists but is wrong, a `resource_metadata` URL that fails, a timeout
 * or a 5xx stay hard errors. Then the MCP server's origin is the authorization server:
 * - its RFC 8414 (then OIDC) metadata at the origin, whose `issuer` must be same-origin with
 *   the server (https or loopback) since none was announced; S256 still required (PKCE-3);
 *   registration and tokens keyed by that issuer (TOK-6);
 * - else, only when both metadata URLs answered 4xx, `<origin>/authorize`, `/token` and
 *   `/register`, keyed by the origin; S256 is still sent, unverified, and the login warns.
 * The `resource` sent is the server URL (RFC 8707: an AS that does not know the parameter
 * ignores it, RFC 6749 §3.1), so the token stays bound to the server it was asked for.
 */
import { canonicalResourceUri, parseWwwAuthenticate } from '../protocol/index.js'
import { discoverAuthorizationServer } from './authorization-server-metadata.js'
import type { DiscoveredAuthorizationServer } from './authorization-server-metadata.js'
import { DiscoveryError } from './discovery-errors.js'
import { clientRequest } from './fetch.js'
import { discoverLegacyAuthorizationServer } from './legacy-discovery.js'
import { findResourceMetadata } from './resource-metadata.js'
import type { ProtectedResourceMetadata } from './resource-metadata.js'
import { checkUrl, ClientFetchError, clientFetchPolicy } from './url-policy.js'
import type { ClientFetchOptions, ClientFetchPolicy } from './url-policy.js'

export interface DiscoveryOptions extends ClientFetchOptions {
  /**
   * A `WWW-Authenticate` value the server already sent (a 401 or 403 seen by the caller): no
   * request is made to the server, this challenge is used instead.
   */
  wwwAuthenticate?: string
  /**
   * The grant that will obtain the token (default `authorization_code`; `client_credentials`,
   * the RFC 7523 jwt-bearer grant …): the AS must list it when it lists `grant_types_supported`.
   */
  grantType?: string
}

export interface DiscoveryResult {
  /** The canonical URI of the server URL given (RFC 8707 §2). */
  readonly serverUrl: string
  /**
   * The resource identifier exactly as published: the `resource` of every OAuth request. For a
   * 2025-03-26 server (`authorizationServer.legacy` set), the canonical server URL.
   */
  readonly resource: string
  /** Where the resource metadata was read (undefined: a 2025-03-26 server, there is none). */
  readonly resourceMetadataUrl: string | undefined
  /**
   * The resource metadata; for a 2025-03-26 server, a stand-in with the server URL as
   * `resource`, the chosen issuer and no `scopes_supported`.
   */
  readonly resourceMetadata: ProtectedResourceMetadata
  /**
   * The first listed authorization server whose metadata passed every check; for a 2025-03-26
   * server, the one at its origin (`legacy` says how it was found).
   */
  readonly authorizationServer: DiscoveredAuthorizationServer
  /** The `scope` of the server's Bearer challenge, when it named one (ERR-3). */
  readonly challengedScopes: readonly string[] | undefined
}

/** What a Bearer challenge says (RFC 6750 §3, RFC 9728 §5.1). */
export interface BearerChallenge {
  readonly resourceMetadata?: string
  readonly scopes?: readonly string[]
  readonly error?: string
}

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

function splitScope(value: string | undefined): string[] | undefined {
  const scopes = [...new Set((value ?? '').split(' ').filter((s) => SCOPE_TOKEN.test(s)))]
  return scopes.length > 0 ? scopes : undefined
}

/**
 * The Bearer challenge of a `WWW-Authenticate` value (the first one; several header lines are
 * read as one list, PRM-7). `resource_metadata` is also taken from another scheme's challenge
 * (DPoP) when the Bearer one has none.
 * @see RFC 6750 §3
 * @see RFC 9728 §5.1
 */
export function readBearerChallenge(header: string | null | undefined): BearerChallenge {
  const challenges = parseWwwAuthenticate(header)
  const bearer = challenges.find((c) => c.scheme === 'bearer')
  const resourceMetadata =
    bearer?.params.resource_metadata ??
    challenges.find((c) => c.params.resource_metadata !== undefined)?.params.resource_metadata
  const scopes = splitScope(bearer?.params.scope)
  const error = bearer?.params.error
  return {
    ...(resourceMetadata === undefined ? {} : { resourceMetadata }),
    ...(scopes === undefined ? {} : { scopes }),
    ...(error === undefined ? {} : { error }),
  }
}

/**
 * The scopes to request first (SCOPE-1, ERR-4): the challenged scopes when the server named
 * some, else every scope of `scopes_supported`, else none (`undefined`: omit `scope`).
 */
export function scopeToRequest(
  challengedScopes: readonly string[] | undefined,
  resourceMetadata: Pick<ProtectedResourceMetadata, 'scopes_supported'>,
): string[] | undefined {
  if (challengedScopes !== undefined && challengedScopes.length > 0) return [...challengedScopes]
  const supported = splitScope(resourceMetadata.scopes_supported?.join(' '))
  return supported === undefined ? undefined : supported
}

/** A JSON-RPC request any MCP server answers (or challenges); it carries no token. */
const PROBE_BODY = JSON.stringify({
  jsonrpc: '2.0',
  id: 0,
  method: 'initialize',
  params: {
    protocolVersion: '2025-11-25',
    capabilities: {},
    clientInfo: { name: 'mcp-pa', version: '0' },
  },
})

/** POSTs to the server without a token: its status and challenge (PRM-6, PRM-7). */
async function probe(server: URL, policy: ClientFetchPolicy) {
  const headers = {
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
  }
  const init = { what: 'the MCP server', method: 'POST' as const, headers, body: PROBE_BODY }
  try {
    const answer = await clientRequest(server, { ...init, readBody: () => false }, policy)
    return { status: answer.status, header: answer.headers.get('www-authenticate') ?? undefined }
  } catch (error) {
    if (!(error instanceof ClientFetchError)) throw error
    throw new DiscoveryError('server_unreachable', error.message, { cause: error })
  }
}

/**
 * The server URL, canonical and checked; its host is trusted for the address checks. Messages
 * never repeat the URL given: it could carry a password.
 */
function serverPolicy(serverUrl: string, options: ClientFetchOptions) {
  try {
    if (!URL.canParse(serverUrl)) throw new TypeError('it is not an absolute URL')
    const canonical = canonicalResourceUri(serverUrl)
    const trustedHosts = [...(options.trustedHosts ?? []), new URL(canonical).hostname]
    const policy = clientFetchPolicy({ ...options, trustedHosts })
    return { server: checkUrl(canonical, 'the MCP server URL', policy), policy }
  } catch (error) {
    if (!(error instanceof ClientFetchError) && !(error instanceof TypeError)) throw error
    const message = `cannot use the MCP server URL: ${error.message}`
    throw new DiscoveryError('invalid_server_url', message, { cause: error })
  }
}

/** Adds what the unauthenticated answer said to a "no metadata" error. */
function explained(error: unknown, status: number | undefined): unknown {
  if (!(error instanceof DiscoveryError) || error.code !== 'no_resource_metadata') return error
  if (status === undefined || status === 401) return error
  const hint = status < 300 ? ': it may not need a login at all' : ''
  return new DiscoveryError(
    'no_resource_metadata',
    `${error.message}. The server answered HTTP ${status} to a request without a token${hint}`,
    { cause: error.cause },
  )
}

/** The first usable authorization server, each tried on its own (PRM-9). */
async function chooseAuthorizationServer(
  issuers: readonly string[],
  policy: ClientFetchPolicy,
  grantType?: string,
): Promise<DiscoveredAuthorizationServer> {
  const problems: DiscoveryError[] = []
  for (const issuer of issuers) {
    try {
      return await discoverAuthorizationServer(issuer, policy, grantType)
    } catch (error) {
      if (!(error instanceof DiscoveryError)) throw error
      problems.push(error)
    }
  }
  const [only] = problems
  if (problems.length === 1 && only !== undefined) throw only
  throw new DiscoveryError(
    'no_usable_authorization_server',
    `none of the ${problems.length} authorization servers is usable: ${problems.map((p) => p.message).join(' | ')}`,
    { problems },
  )
}

/** A 2025-03-26 server: no resource metadata, its origin is the authorization server. */
async function legacyDiscovery(
  server: URL,
  policy: ClientFetchPolicy,
  challengedScopes: readonly string[] | undefined,
  grantType: string | undefined,
): Promise<DiscoveryResult> {
  const authorizationServer = await discoverLegacyAuthorizationServer(server, policy, grantType)
  return {
    serverUrl: server.href,
    resource: server.href,
    resourceMetadataUrl: undefined,
    resourceMetadata: {
      resource: server.href,
      authorization_servers: [authorizationServer.issuer],
    },
    authorizationServer,
    challengedScopes,
  }
}

/**
 * Discovers what logging in to `serverUrl` needs. The server's own host is trusted for the
 * address checks (it is the user's choice); every other URL learned on the way must be https
 * (http on loopback) and public, unless it is on that host. A server without any resource
 * metadata that asks for authorization takes the legacy path (module comment).
 * @see RFC 9728 §3, §5
 * @see RFC 8414 §3
 */
export async function discover(
  serverUrl: string,
  options: DiscoveryOptions = {},
): Promise<DiscoveryResult> {
  const { server, policy } = serverPolicy(serverUrl, options)
  const answer = options.wwwAuthenticate === undefined ? await probe(server, policy) : undefined
  const challenge = readBearerChallenge(options.wwwAuthenticate ?? answer?.header)
  let found
  try {
    found = await findResourceMetadata(server.href, challenge.resourceMetadata, policy)
  } catch (error) {
    const challenged = options.wwwAuthenticate !== undefined || answer?.status === 401
    if (!(error instanceof DiscoveryError) || !error.notPublished || !challenged) {
      throw explained(error, answer?.status)
    }
    return legacyDiscovery(server, policy, challenge.scopes, options.grantType)
  }
  const authorizationServer = await chooseAuthorizationServer(
    found.metadata.authorization_servers,
    policy,
    options.grantType,
  )
  return {
    serverUrl: server.href,
    resource: found.metadata.resource,
    resourceMetadataUrl: found.url,
    resourceMetadata: found.metadata,
    authorizationServer,
    challengedScopes: challenge.scopes,
  }
}
