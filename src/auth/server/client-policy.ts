import { BlockList, isIP } from 'node:net'
import { parseDistinguishedName } from './distinguished-name.js'

/**
 * Our client policy on top of the engine's (issue 4, REDIR-1, REDIR-3, CIMD-5, CIMD-6): what a
 * client may register as a redirect URI, and which client ID metadata documents the server may
 * fetch. Pure functions: the provider wiring turns a problem into the engine's OAuth error.
 */

/**
 * Special-use address ranges a metadata-document fetch must never reach (CIMD-6). Two lists:
 * Node's BlockList matches an IPv4 address against IPv6 rules through its IPv4-mapped form, so
 * the `::ffff:0:0/96` rule in a shared list would refuse every IPv4 address.
 */
const PRIVATE_V4 = new BlockList()
const PRIVATE_V6 = new BlockList()
for (const [net, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  PRIVATE_V4.addSubnet(net, prefix, 'ipv4')
}
for (const [net, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['::ffff:0:0', 96],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  PRIVATE_V6.addSubnet(net, prefix, 'ipv6')
}

/** Whether an IP address is loopback, private, link-local, metadata-service or otherwise not public. */
export function isSpecialUseAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '')
  const family = isIP(bare)
  if (family === 0) return false
  if (family === 6 && /^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(bare)) {
    return isSpecialUseAddress(bare.slice(7))
  }
  return family === 4 ? PRIVATE_V4.check(bare, 'ipv4') : PRIVATE_V6.check(bare, 'ipv6')
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', '[::1]', 'localhost'])

/** Whether a redirect URI is http on a loopback host (RFC 8252 §7.3). */
export function isLoopbackRedirect(uri: string): boolean {
  const url = URL.parse(uri)
  return url !== null && url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)
}

/**
 * Why a redirect URI is refused, or undefined: absolute https, or http on a loopback host; no
 * fragment (OAuth 2.1 §2.3.1), no userinfo, no wildcard. Custom schemes are refused: MCP clients
 * use loopback or https callbacks, and a private-use scheme can be claimed by any local app.
 */
export function redirectUriProblem(uri: unknown): string | undefined {
  if (typeof uri !== 'string' || uri.length === 0) return 'redirect_uris must be strings'
  if (uri.length > 2000) return 'a redirect URI is longer than 2000 characters'
  const url = URL.parse(uri)
  if (url === null)
    return `redirect URI ${JSON.stringify(uri.slice(0, 100))} is not an absolute URL`
  if (uri.includes('#')) return 'a redirect URI must not contain a fragment'
  if (url.username !== '' || url.password !== '') return 'a redirect URI must not contain userinfo'
  if (url.hostname.includes('*')) return 'a redirect URI must not contain a wildcard'
  if (url.protocol === 'https:') return undefined
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return undefined
  if (url.protocol === 'http:') {
    return 'a redirect URI must use https (http is allowed only on 127.0.0.1, [::1] or localhost)'
  }
  return `redirect URI scheme ${url.protocol} is not allowed: use https or http on a loopback address`
}

/** Why a client's metadata is refused by our policy, or undefined. */
export function clientMetadataProblem(metadata: {
  redirect_uris?: unknown
  grant_types?: unknown
  token_endpoint_auth_method?: unknown
  [name: string]: unknown
}): string | undefined {
  const grants = Array.isArray(metadata.grant_types) ? metadata.grant_types : ['authorization_code']
  const uris = metadata.redirect_uris
  if (grants.includes('authorization_code')) {
    if (!Array.isArray(uris) || uris.length === 0) {
      return 'redirect_uris is required for the authorization_code grant'
    }
    for (const uri of uris) {
      const problem = redirectUriProblem(uri)
      if (problem !== undefined) return problem
    }
  }
  if (grants.includes('implicit') || grants.includes('password')) {
    return 'the implicit and password grants are not supported (OAuth 2.1)'
  }
  if (grants.includes('client_credentials') && metadata.token_endpoint_auth_method === 'none') {
    return 'client_credentials needs a confidential client (a token_endpoint_auth_method other than none)'
  }
  if (metadata.token_endpoint_auth_method === 'tls_client_auth') return subjectDnProblem(metadata)
  return undefined
}

/** The certificate subject registrations of RFC 8705 §2.1.2 this server does not match. */
const SAN_REGISTRATIONS = [
  'tls_client_auth_san_dns',
  'tls_client_auth_san_uri',
  'tls_client_auth_san_ip',
  'tls_client_auth_san_email',
] as const

/** A tls_client_auth client is registered by its certificate's subject DN only (RFC 8705 §2.1.2). */
export function subjectDnProblem(metadata: Record<string, unknown>): string | undefined {
  if (SAN_REGISTRATIONS.some((name) => metadata[name] !== undefined)) {
    return 'tls_client_auth clients are matched by tls_client_auth_subject_dn only; the SAN variants are not supported'
  }
  const dn = metadata.tls_client_auth_subject_dn
  if (typeof dn !== 'string' || parseDistinguishedName(dn) === undefined) {
    return `tls_client_auth_subject_dn must be the certificate subject as an RFC 4514 string (${DN_HINT})`
  }
  return undefined
}

/** How to write a subject DN that matches. */
export const DN_HINT =
  'as `openssl x509 -noout -subject -nameopt RFC2253` prints it, e.g. CN=app,O=Example'

/** Whether a host matches an allow-list entry: exact, or `*.example.com` for subdomains. */
export function hostAllowed(host: string, allowed: readonly string[]): boolean {
  if (allowed.length === 0) return true
  const name = host.toLowerCase()
  return allowed.some((entry) => {
    const rule = entry.toLowerCase()
    return rule.startsWith('*.')
      ? name.endsWith(rule.slice(1)) && name !== rule.slice(2)
      : name === rule
  })
}

export type Lookup = (host: string) => Promise<string[]>

/**
 * Why the server must not fetch this client ID metadata document, or undefined (CIMD-6): an
 * https URL whose host is a public name on the allow-list, never an IP literal, `localhost`, or
 * a name that resolves to a special-use address. The engine checks the connected socket's
 * address again when it fetches (DNS pinning between this check and the connection).
 */
export async function metadataDocumentFetchProblem(
  clientId: string,
  allowedHosts: readonly string[],
  lookup: Lookup,
): Promise<string | undefined> {
  const url = URL.parse(clientId)
  if (url === null || url.protocol !== 'https:') return 'the client_id URL must use https'
  const host = url.hostname.replace(/^\[|\]$/g, '')
  if (isIP(host) !== 0) return 'the client_id URL must name a host, not an IP address'
  if (host === 'localhost' || host.endsWith('.localhost'))
    return 'the client_id URL names localhost'
  if (url.port !== '' && url.port !== '443')
    return 'the client_id URL must use the default https port'
  if (!hostAllowed(host, allowedHosts))
    return `client metadata documents from ${host} are not accepted here`
  let addresses: string[]
  try {
    addresses = await lookup(host)
  } catch {
    return `the client_id host ${host} does not resolve`
  }
  if (addresses.length === 0) return `the client_id host ${host} does not resolve`
  if (addresses.some(isSpecialUseAddress)) {
    return `the client_id host ${host} resolves to a private or special-use address`
  }
  return undefined
}
