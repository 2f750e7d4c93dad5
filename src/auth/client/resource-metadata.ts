/**
 * Protected resource metadata for the client (RFC 9728): where to look (PRM-6), and whether the
 * document found describes the server being accessed (PRM-8).
 */
import { canonicalResourceUri, protectedResourceMetadataUrls } from '../protocol/index.js'
import { DiscoveryError, documentAbsent, quoteValue } from './discovery-errors.js'
import { fetchJsonObject } from './fetch.js'
import { checkUrl, ClientFetchError, endpointName } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

const WELL_KNOWN = '/.well-known/oauth-protected-resource'
const WHAT = 'the protected resource metadata'

/** A validated protected resource metadata document (RFC 9728 §2). */
export interface ProtectedResourceMetadata {
  /** The resource identifier, exactly as published: what the client sends as `resource`. */
  readonly resource: string
  /** The issuers of the authorization servers, in the order listed; at least one. */
  readonly authorization_servers: readonly string[]
  readonly scopes_supported?: readonly string[]
  readonly [parameter: string]: unknown
}

export interface FoundResourceMetadata {
  /** The URL the document was read from. */
  readonly url: string
  readonly metadata: ProtectedResourceMetadata
}

/**
 * The resource identifiers a document read from `documentUrl` may name for `serverUrl`
 * (canonical forms): the server URL itself; and, for a document at a well-known URL of the
 * server's origin, the identifier that URL was built from (RFC 9728 §3.1 insertion reversed),
 * when the server's path lies under it, at a segment boundary. So the root document may describe
 * the whole origin (`https://h` for `https://h/mcp`), as RFC 9728 §3.3 expects of it, while a
 * document at any other location must name the server URL exactly.
 */
export function acceptedResources(documentUrl: URL, serverUrl: string): Set<string> {
  const server = new URL(canonicalResourceUri(serverUrl))
  const accepted = new Set([server.href])
  const path = documentUrl.pathname
  if (documentUrl.origin !== server.origin) return accepted
  if (path !== WELL_KNOWN && !path.startsWith(`${WELL_KNOWN}/`)) return accepted
  const derived = new URL(canonicalResourceUri(`${server.origin}${path.slice(WELL_KNOWN.length)}`))
  const under = derived.pathname === '/' || server.pathname.startsWith(`${derived.pathname}/`)
  if (under || derived.pathname === server.pathname) accepted.add(derived.href)
  return accepted
}

function invalid(url: URL, problem: string): DiscoveryError {
  return new DiscoveryError(
    'invalid_resource_metadata',
    `${WHAT} at ${endpointName(url)} ${problem}; the server operator must fix it (RFC 9728 §2)`,
  )
}

function stringArray(value: unknown): value is readonly string[] {
  return Array.isArray(value) && value.every((v) => typeof v === 'string')
}

/** Checks the fields the client relies on, and the resource against the server (PRM-8). */
export function validateResourceMetadata(
  document: Record<string, unknown>,
  documentUrl: URL,
  serverUrl: string,
): ProtectedResourceMetadata {
  const { resource, authorization_servers: servers, scopes_supported: scopes } = document
  if (typeof resource !== 'string' || !URL.canParse(resource) || resource.includes('#')) {
    throw invalid(documentUrl, `has no usable resource (${quoteValue(resource)})`)
  }
  let canonical: string | undefined
  try {
    canonical = canonicalResourceUri(resource)
  } catch {
    canonical = undefined
  }
  if (canonical === undefined || !acceptedResources(documentUrl, serverUrl).has(canonical)) {
    throw new DiscoveryError(
      'resource_mismatch',
      `${WHAT} at ${endpointName(documentUrl)} is for the resource ${quoteValue(resource)}, not for the server ${serverUrl}, so it is not used (RFC 9728 §3.3); check the server URL, or ask the operator to publish metadata whose resource is the server URL`,
    )
  }
  if (!stringArray(servers) || servers.length === 0) {
    throw invalid(documentUrl, 'lists no authorization_servers')
  }
  if (scopes !== undefined && !stringArray(scopes)) {
    throw invalid(documentUrl, 'has a scopes_supported that is not a list of strings')
  }
  return document as ProtectedResourceMetadata
}

/**
 * Finds and validates the protected resource metadata of `serverUrl` (PRM-6): at the
 * `resource_metadata` URL of the challenge when there is one (and nowhere else); otherwise at
 * the path-suffixed well-known URL, then the root one. A URL without a document (an error
 * status, not JSON, unreachable, refused) moves on to the next; a document that does not
 * describe the server stops discovery. When none is found, the error says whether the server
 * plainly has none (`notPublished`: every well-known URL answered 4xx, no `resource_metadata`
 * named), the only case where discovery.ts may treat it as a 2025-03-26 server.
 * @see RFC 9728 §3.1
 * @see RFC 9728 §5.1
 */
export async function findResourceMetadata(
  serverUrl: string,
  resourceMetadataUrl: string | undefined,
  policy: ClientFetchPolicy,
): Promise<FoundResourceMetadata> {
  let candidates: URL[]
  if (resourceMetadataUrl !== undefined) {
    try {
      candidates = [checkUrl(resourceMetadataUrl, `the resource_metadata URL`, policy)]
    } catch (error) {
      const reason = error instanceof ClientFetchError ? error.message : 'an unusable URL'
      throw new DiscoveryError('no_resource_metadata', `${reason} (RFC 9728 §5.1)`, {
        cause: error,
      })
    }
  } else {
    const { pathSuffixed, root } = protectedResourceMetadataUrls(serverUrl)
    candidates = [...new Set([pathSuffixed, root])].map((u) => new URL(u))
  }
  const attempts: string[] = []
  let cause: unknown
  let absent = resourceMetadataUrl === undefined
  for (const url of candidates) {
    let document: Record<string, unknown>
    try {
      document = await fetchJsonObject(url, WHAT, policy)
    } catch (error) {
      if (!(error instanceof ClientFetchError)) throw error
      attempts.push(error.message)
      cause ??= error
      absent &&= documentAbsent(error)
      continue
    }
    return { url: url.href, metadata: validateResourceMetadata(document, url, serverUrl) }
  }
  throw new DiscoveryError(
    'no_resource_metadata',
    `found no protected resource metadata for ${serverUrl}: ${attempts.join('; ')}. The server must publish it (RFC 9728) for OAuth login to work`,
    { cause, notPublished: absent },
  )
}
