/**
 * Which URLs learned from servers the CLI client may contact (MCP security best practices,
 * "SSRF"; T-7), and the error vocabulary of its outbound requests:
 * - `https` only, `http` on loopback hosts, or anywhere with `dangerouslyAllowHttp`; never user
 *   information or a fragment;
 * - no private, loopback, link-local, shared, multicast or reserved address (IPv4, IPv6 and the
 *   IPv4-mapped forms) unless the host is trusted (the MCP server's own host). Literal addresses
 *   are checked here; names are checked, address by address, when connecting (fetch.ts).
 * Error messages name an endpoint by origin (and path) only: never a query, a header or a body,
 * so they cannot carry a token or a secret.
 */
import { lookup as dnsLookup } from 'node:dns/promises'
import { BlockList, isIP } from 'node:net'
import { isLoopbackHostname } from '../protocol/index.js'

/** Why a request to a learned URL was refused or failed. */
export type ClientFetchErrorCode =
  | 'invalid_url' // not an absolute http(s) URL, or with user information or a fragment
  | 'insecure_url' // plain http off loopback (T-7)
  | 'forbidden_address' // a private, loopback, link-local or reserved target (SSRF)
  | 'unresolvable_host'
  | 'timeout'
  | 'network_error'
  | 'redirect_refused'
  | 'body_too_large'
  | 'unexpected_status'
  | 'invalid_body' // not UTF-8, not JSON, or not a JSON object

/** A refused or failed request. The message says what to fix and never carries a secret. */
export class ClientFetchError extends Error {
  readonly code: ClientFetchErrorCode
  /** The HTTP status, for `unexpected_status` and `redirect_refused`. */
  readonly status: number | undefined

  constructor(code: ClientFetchErrorCode, message: string, status?: number) {
    super(message)
    this.name = 'ClientFetchError'
    this.code = code
    this.status = status
  }
}

/** Resolves a hostname to every address it has. */
export type Resolver = (hostname: string) => Promise<readonly string[]>

export interface ClientFetchOptions {
  /** Deadline per exchange, answer and body included, 1–120 000 ms (default 10 000). */
  timeoutMs?: number
  /** Largest body read, 1 byte to 16 MiB (default 1 MiB). */
  maxBytes?: number
  /** Allow plain http to any host (T-7). Local test setups only; off by default. */
  dangerouslyAllowHttp?: boolean
  /**
   * Hosts (as `URL.hostname` writes them) whose addresses are not checked: the MCP server's own
   * host, which the user chose. When one is a loopback host, loopback addresses are allowed too.
   */
  trustedHosts?: readonly string[]
  /** Resolver for tests (default: the system resolver, as connections use it). */
  resolve?: Resolver
}

/** Validated {@link ClientFetchOptions}. */
export interface ClientFetchPolicy {
  readonly timeoutMs: number
  readonly maxBytes: number
  readonly dangerouslyAllowHttp: boolean
  readonly trustedHosts: ReadonlySet<string>
  readonly loopbackTrusted: boolean
  readonly resolve: Resolver
}

const systemResolver: Resolver = async (hostname) =>
  (await dnsLookup(hostname, { all: true, verbatim: true })).map((a) => a.address)

function integerIn(value: number, min: number, max: number, name: string): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer between ${min} and ${max}, got ${value}`)
  }
  return value
}

/** Checks and normalises the options once; a bad option is a TypeError naming it. */
export function clientFetchPolicy(options: ClientFetchOptions = {}): ClientFetchPolicy {
  if (options.resolve !== undefined && typeof options.resolve !== 'function') {
    throw new TypeError('resolve must be a function')
  }
  const trustedHosts = new Set((options.trustedHosts ?? []).map((h) => h.toLowerCase()))
  return {
    timeoutMs: integerIn(options.timeoutMs ?? 10_000, 1, 120_000, 'timeoutMs'),
    maxBytes: integerIn(options.maxBytes ?? 1024 * 1024, 1, 16 * 1024 * 1024, 'maxBytes'),
    dangerouslyAllowHttp: options.dangerouslyAllowHttp === true,
    trustedHosts,
    loopbackTrusted: [...trustedHosts].some(
      (h) => isLoopbackHostname(h) || isLoopbackAddress(unbracket(h)),
    ),
    resolve: options.resolve ?? systemResolver,
  }
}

/**
 * Special-purpose IPv4 ranges (RFC 6890 registry: this network, private, shared, loopback,
 * link-local, IETF, documentation, 6to4 relay, benchmarking, multicast, reserved, broadcast) and
 * the non-public blocks inside IPv6 global unicast (IETF incl. Teredo, documentation, 6to4).
 */
const SPECIAL_V4 =
  '0.0.0.0/8 10.0.0.0/8 100.64.0.0/10 127.0.0.0/8 169.254.0.0/16 172.16.0.0/12 192.0.0.0/24 192.0.2.0/24 192.88.99.0/24 192.168.0.0/16 198.18.0.0/15 198.51.100.0/24 203.0.113.0/24 224.0.0.0/4 240.0.0.0/4'
const SPECIAL_V6 = '2001::/23 2001:db8::/32 2002::/16 3fff::/20'

function blockList(cidrs: string, family: 'ipv4' | 'ipv6', list = new BlockList()): BlockList {
  for (const cidr of cidrs.split(' ')) {
    const [network = '', prefix = ''] = cidr.split('/')
    list.addSubnet(network, Number(prefix), family)
  }
  return list
}

const SPECIAL = blockList(SPECIAL_V6, 'ipv6', blockList(SPECIAL_V4, 'ipv4'))
/** The only IPv6 space with public targets; fc00::/7, fe80::/10, ff00::/8, ::1 lie outside. */
const GLOBAL_UNICAST = blockList('2000::/3', 'ipv6')
const IPV4_MAPPED = blockList('::ffff:0:0/96', 'ipv6')
const LOOPBACK = blockList('::1/128', 'ipv6', blockList('127.0.0.0/8', 'ipv4'))

function unbracket(host: string): string {
  return host.startsWith('[') && host.endsWith(']') ? host.slice(1, -1) : host
}

/**
 * True only for a public unicast address: an allow-list (global unicast IPv6, IPv4 outside the
 * special-purpose ranges); IPv4-mapped IPv6 is judged by the IPv4 address it carries. Anything
 * that is not an IP address is false.
 */
export function isPublicAddress(address: string): boolean {
  const family = isIP(address)
  if (family === 4) return !SPECIAL.check(address, 'ipv4')
  if (family !== 6 || SPECIAL.check(address, 'ipv6')) return false
  return IPV4_MAPPED.check(address, 'ipv6') || GLOBAL_UNICAST.check(address, 'ipv6')
}

/** 127.0.0.0/8, ::1 and their IPv4-mapped forms. */
export function isLoopbackAddress(address: string): boolean {
  const family = isIP(address)
  return family !== 0 && LOOPBACK.check(address, family === 4 ? 'ipv4' : 'ipv6')
}

/** Whether a connection to `address` is allowed under `policy` (public, or trusted loopback). */
export function addressAllowed(address: string, policy: ClientFetchPolicy): boolean {
  return isPublicAddress(address) || (policy.loopbackTrusted && isLoopbackAddress(address))
}

/** `origin + pathname`: how messages name an endpoint (no query, no credentials). */
export function endpointName(url: URL): string {
  return `${url.origin}${url.pathname}`
}

/** The `forbidden_address` error for `address` of `host`. */
export function forbidden(what: string, host: string, address: string): ClientFetchError {
  return new ClientFetchError(
    'forbidden_address',
    `${what} (host ${host}) points to ${address}, a private, loopback, link-local or reserved address; mcp-pa follows such URLs only on the MCP server's own host (SSRF protection). Ask the server operator to publish a public URL, or trust that host explicitly`,
  )
}

/**
 * Parses and checks a URL learned from a server, before any request: http(s) only, https unless
 * loopback or `dangerouslyAllowHttp` (T-7), no user information, no fragment, and no literal
 * private address off the trusted hosts. Names are checked when connecting.
 */
export function checkUrl(value: unknown, what: string, policy: ClientFetchPolicy): URL {
  const text = value instanceof URL ? value.href : value
  if (typeof text !== 'string' || !URL.canParse(text)) {
    throw new ClientFetchError('invalid_url', `${what} is not an absolute URL`)
  }
  const url = new URL(text)
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new ClientFetchError('invalid_url', `${what} must be an https URL, not ${url.protocol}`)
  }
  if (url.username !== '' || url.password !== '') {
    throw new ClientFetchError('invalid_url', `${what} must not carry user information`)
  }
  if (url.hash !== '') throw new ClientFetchError('invalid_url', `${what} must not have a fragment`)
  if (
    url.protocol === 'http:' &&
    !isLoopbackHostname(url.hostname) &&
    !policy.dangerouslyAllowHttp
  ) {
    throw new ClientFetchError(
      'insecure_url',
      `${what} (${url.origin}) uses plain http; OAuth and metadata URLs must use https (http only on loopback). Fix the server's configuration, or use --dangerously-allow-http in a test setup`,
    )
  }
  const host = unbracket(url.hostname)
  if (isIP(host) !== 0 && !policy.trustedHosts.has(url.hostname) && !addressAllowed(host, policy)) {
    throw forbidden(what, url.hostname, host)
  }
  return url
}
