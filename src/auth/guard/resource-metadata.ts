import { canonicalResourceUri, parseHttpsOrLoopbackUrl } from '../protocol/index.js'

/** RFC 6749 §3.3 scope-token. */
const SCOPE_TOKEN = /^[\x21\x23-\x5B\x5D-\x7E]+$/

export interface ProtectedResourceMetadataOptions {
  /** The MCP endpoint URL; published in its canonical form (PRM-3). */
  resource: string | URL
  /** Issuer URLs of the authorization servers, at least one (PRM-2). */
  authorizationServers: readonly (string | URL)[]
  /** The minimal set of scopes for basic use, never `offline_access` (PRM-10, RT-6). */
  scopesSupported: readonly string[]
  resourceName?: string
  documentationUrl?: string | URL
}

/** The RFC 9728 §2 document this server publishes. */
export interface ProtectedResourceMetadata {
  resource: string
  authorization_servers: string[]
  scopes_supported: string[]
  bearer_methods_supported: ['header']
  resource_name?: string
  resource_documentation?: string
}

function issuerUrl(value: string | URL): string {
  const url = parseHttpsOrLoopbackUrl(value, 'authorization server issuer')
  if (url.search !== '') throw new TypeError('an authorization server issuer has no query')
  // The issuer identifier is compared exactly by clients (RFC 8414 §3.3): keep it as written.
  return typeof value === 'string' ? value : url.href
}

/**
 * Builds the protected resource metadata document, validating every input at construction: the
 * resource and authorization servers must be https (http only on loopback), scopes must be
 * RFC 6749 scope tokens, and `offline_access` is refused. `bearer_methods_supported` is
 * `["header"]`: the only method the guard accepts.
 * @see RFC 9728 §2
 */
export function protectedResourceMetadata(
  options: ProtectedResourceMetadataOptions,
): ProtectedResourceMetadata {
  const resource = canonicalResourceUri(parseHttpsOrLoopbackUrl(options.resource, 'resource'))
  if (!Array.isArray(options.authorizationServers) || options.authorizationServers.length === 0) {
    throw new TypeError('authorizationServers must list at least one issuer URL (RFC 9728 §2)')
  }
  const authorizationServers = [...new Set(options.authorizationServers.map(issuerUrl))]
  if (!Array.isArray(options.scopesSupported)) {
    throw new TypeError('scopesSupported must be an array of scope tokens')
  }
  for (const scope of options.scopesSupported) {
    if (typeof scope !== 'string' || !SCOPE_TOKEN.test(scope)) {
      throw new TypeError(`invalid scope token ${JSON.stringify(scope)} (RFC 6749 §3.3)`)
    }
    if (scope === 'offline_access') {
      throw new TypeError('scopesSupported must not list offline_access (MCP 2026-07-28, RT-6)')
    }
  }
  const document: ProtectedResourceMetadata = {
    resource,
    authorization_servers: authorizationServers,
    scopes_supported: [...new Set(options.scopesSupported)],
    bearer_methods_supported: ['header'],
  }
  if (options.resourceName !== undefined) {
    if (
      typeof options.resourceName !== 'string' ||
      !/^[^\p{Cc}]{1,200}$/u.test(options.resourceName)
    ) {
      throw new TypeError('resourceName must be 1 to 200 characters without control characters')
    }
    document.resource_name = options.resourceName
  }
  if (options.documentationUrl !== undefined) {
    document.resource_documentation = parseHttpsOrLoopbackUrl(
      options.documentationUrl,
      'documentationUrl',
    ).href
  }
  return document
}
