const WELL_KNOWN_PRM = '/.well-known/oauth-protected-resource'

function toUrl(url: string | URL): URL {
  if (url instanceof URL) return new URL(url.href)
  if (!URL.canParse(url)) throw new TypeError(`not an absolute URL: ${JSON.stringify(url)}`)
  return new URL(url)
}

/**
 * The canonical URI of a resource (RFC 8707 §2, MCP authorization "Canonical Server URI"):
 * lower-case scheme and host (the WHATWG parser does both), no default port, no fragment, the path
 * kept without a trailing slash unless it is just `/` (the WHATWG parser cannot tell `https://h`
 * from `https://h/`, so a bare origin canonicalises to `https://h/`). The query is kept (RFC 8707
 * allows it; RFC 9728 §3.1 keeps it out of the well-known URL).
 * @see RFC 8707 §2
 */
export function canonicalResourceUri(url: string | URL): string {
  const parsed = toUrl(url)
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') {
    throw new TypeError(`a resource URI must be http(s), got ${parsed.protocol}`)
  }
  if (parsed.username !== '' || parsed.password !== '') {
    throw new TypeError('a resource URI must not carry user information')
  }
  parsed.hash = ''
  if (parsed.search === '') parsed.search = ''
  if (parsed.pathname.length > 1 && parsed.pathname.endsWith('/')) {
    parsed.pathname = parsed.pathname.replace(/\/+$/, '') || '/'
  }
  return parsed.href
}

/** The two well-known locations of a resource's protected resource metadata. */
export interface ProtectedResourceMetadataUrls {
  /** `https://h/.well-known/oauth-protected-resource/<path>` (the suffix inserted before the path). */
  pathSuffixed: string
  /** `https://h/.well-known/oauth-protected-resource`. */
  root: string
}

/**
 * The RFC 9728 §3.1 metadata URLs for a resource: the well-known segment is inserted between the
 * host and the path; the query and fragment are dropped. For a resource without a path both are
 * the root URL.
 * @see RFC 9728 §3.1
 */
export function protectedResourceMetadataUrls(
  resource: string | URL,
): ProtectedResourceMetadataUrls {
  const parsed = new URL(canonicalResourceUri(resource))
  const path = parsed.pathname === '/' ? '' : parsed.pathname
  return {
    pathSuffixed: `${parsed.origin}${WELL_KNOWN_PRM}${path}`,
    root: `${parsed.origin}${WELL_KNOWN_PRM}`,
  }
}
