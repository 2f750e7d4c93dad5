import { parseHttpsOrLoopbackUrl } from '../protocol/index.js'
import {
  boundedFetch,
  endpointName,
  FetchFailure,
  globalFetch,
  parseJsonObject,
} from './bounded-fetch.js'

/** Far above any real metadata document. */
const MAX_BODY_BYTES = 64 * 1024
const RFC8414_SUFFIX = '/.well-known/oauth-authorization-server'
const OIDC_SUFFIX = '/.well-known/openid-configuration'

export interface DiscoveryOptions {
  /** For tests only (default: the global `fetch`). */
  fetch?: typeof fetch
  /** Deadline per metadata URL, 1–60 000 ms (default 5000). */
  timeoutMs?: number
}

/** Authorization server metadata whose `issuer` is identical to the configured issuer. */
export interface AuthorizationServerMetadata {
  readonly issuer: string
  readonly jwks_uri?: unknown
  readonly introspection_endpoint?: unknown
  readonly [parameter: string]: unknown
}

/** One metadata URL tried, and why it gave no usable document. */
export interface DiscoveryAttempt {
  url: string
  problem: string
}

/**
 * Discovery failed. The message names the issuer, every URL tried with its problem, and the fix:
 * set `authentication.issuer` to exactly the issuer the metadata names when a document named
 * another one (e.g. with or without a trailing slash), otherwise usually configure the URL by
 * hand. `attempts` holds the same as data.
 */
export class DiscoveryError extends Error {
  readonly issuer: string
  readonly attempts: readonly DiscoveryAttempt[]

  constructor(message: string, issuer: string, attempts: readonly DiscoveryAttempt[] = []) {
    super(message)
    this.name = 'DiscoveryError'
    this.issuer = issuer
    this.attempts = attempts
  }
}

/**
 * The metadata URLs of an issuer in the order MCP clients probe them (ASD-3): with a path,
 * RFC 8414 path insertion, then OIDC path insertion, then OIDC path appending; without a path,
 * RFC 8414 then OIDC. A terminating `/` of the issuer is removed first (RFC 8414 §3.1).
 * @see RFC 8414 §3.1
 * @see OpenID Connect Discovery 1.0 §4.1
 */
export function authorizationServerMetadataUrls(issuer: string): URL[] {
  const url = parseHttpsOrLoopbackUrl(issuer, 'issuer')
  if (url.search !== '') {
    throw new TypeError('an issuer has no query component (RFC 8414 §2): remove it from the issuer')
  }
  const path = url.pathname.replace(/\/$/, '')
  // Concatenated, never resolved: a path starting with `//` must not become another host.
  const at = (p: string) => new URL(`${url.origin}${p}`)
  if (path === '') return [at(RFC8414_SUFFIX), at(OIDC_SUFFIX)]
  return [at(`${RFC8414_SUFFIX}${path}`), at(`${OIDC_SUFFIX}${path}`), at(`${path}${OIDC_SUFFIX}`)]
}

function timeoutOf(options: DiscoveryOptions): number {
  if (options.fetch !== undefined && typeof options.fetch !== 'function') {
    throw new TypeError('fetch must be a function')
  }
  const timeout = options.timeoutMs ?? 5000
  if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60_000) {
    throw new TypeError(`timeoutMs must be an integer between 1 and 60000, got ${timeout}`)
  }
  return timeout
}

/** Why a metadata URL gave no usable document; `named` is the other issuer it names, if usable. */
interface Problem {
  problem: string
  named?: string
}

/** Whether a mismatching `issuer` could be configured as is, so it may be suggested. */
function usableIssuer(value: unknown): value is string {
  if (typeof value !== 'string' || value.length > 200) return false
  try {
    authorizationServerMetadataUrls(value)
    return true
  } catch {
    return false
  }
}

async function fetchDocument(
  url: URL,
  issuer: string,
  options: DiscoveryOptions,
  timeoutMs: number,
): Promise<{ document: AuthorizationServerMetadata } | Problem> {
  try {
    const init = { method: 'GET', headers: { Accept: 'application/json' } }
    const { status, body } = await boundedFetch(url, init, {
      fetch: options.fetch ?? globalFetch,
      timeoutMs,
      maxBytes: MAX_BODY_BYTES,
    })
    if (status < 200 || status > 299) return { problem: `HTTP ${status}` }
    const document = parseJsonObject(body)
    // RFC 8414 §3.3 / OIDC Discovery §4.3: identical, character for character (ASD-5).
    if (document.issuer !== issuer) {
      const named =
        typeof document.issuer === 'string' ? JSON.stringify(document.issuer.slice(0, 200)) : 'none'
      return {
        problem: `the document names issuer ${named}, not the configured ${JSON.stringify(issuer)}; the two must be identical (RFC 8414 §3.3), so it was discarded`,
        ...(usableIssuer(document.issuer) ? { named: document.issuer } : {}),
      }
    }
    return { document: document as AuthorizationServerMetadata }
  } catch (error) {
    if (error instanceof FetchFailure) return { problem: error.message }
    throw error
  }
}

/**
 * The fix when the metadata names another issuer than the configured one: configure exactly that
 * issuer. Setting the JWKS or introspection URL by hand instead (`instead`) would let the server
 * start and then refuse every token, since each token's `iss` must equal the configured issuer.
 */
function issuerFix(configured: string, named: readonly string[], instead?: string): string {
  const values = named.map((value) => JSON.stringify(value))
  const was = JSON.stringify(configured)
  const target =
    values.length === 1
      ? `exactly ${values[0]}, the issuer the metadata names (the configured ${was} differs; a trailing slash counts)`
      : `exactly the issuer the metadata names: ${values.join(' or ')} (the configured ${was} matches ${values.length === 2 ? 'neither' : 'none of them'}; a trailing slash counts)`
  const not =
    instead === undefined
      ? ''
      : `; setting ${instead} instead would not help: the server would start, then refuse every token, because a token's iss must equal authentication.issuer`
  return `set authentication.issuer to ${target}${not}`
}

function failure(what: string, issuer: string, attempts: DiscoveryAttempt[], fix: string) {
  const tried = attempts.map((a) => `${a.url} (${a.problem})`).join('; ')
  return new DiscoveryError(
    `could not discover ${what} of issuer ${issuer}: none of ${tried} answered with usable metadata; ${fix}`,
    issuer,
    attempts,
  )
}

/**
 * The first usable document of `issuer`, or a DiscoveryError ending with `fix`, or with the
 * issuer fix when a document named another issuer (`instead`: the setting not to suggest).
 */
async function discover(
  issuer: string,
  options: DiscoveryOptions,
  what: string,
  fix: string,
  instead?: string,
): Promise<{ document: AuthorizationServerMetadata; url: URL }> {
  const urls = authorizationServerMetadataUrls(issuer)
  const timeoutMs = timeoutOf(options)
  const attempts: DiscoveryAttempt[] = []
  const named = new Set<string>()
  for (const url of urls) {
    const answer = await fetchDocument(url, issuer, options, timeoutMs)
    if ('document' in answer) return { document: answer.document, url }
    attempts.push({ url: endpointName(url), problem: answer.problem })
    if (answer.named !== undefined) named.add(answer.named)
  }
  throw failure(
    what,
    issuer,
    attempts,
    named.size > 0 ? issuerFix(issuer, [...named], instead) : fix,
  )
}

/**
 * Fetches and validates the metadata of `issuer`, probing the URLs of
 * {@link authorizationServerMetadataUrls} in order, without following redirects, with a
 * deadline and a 64 KiB cap per URL. The first JSON object whose `issuer` is identical to
 * `issuer` wins; a document naming another issuer is discarded (ASD-5).
 * @see RFC 8414 §3
 * @see OpenID Connect Discovery 1.0 §4
 */
export async function discoverAuthorizationServerMetadata(
  issuer: string,
  options: DiscoveryOptions = {},
): Promise<AuthorizationServerMetadata> {
  const fix = 'check the issuer URL (it must equal the server’s own issuer exactly)'
  return (await discover(issuer, options, 'the metadata', fix)).document
}

async function discoverEndpoint(
  issuer: string,
  options: DiscoveryOptions,
  field: 'jwks_uri' | 'introspection_endpoint',
  what: string,
  setting: string,
): Promise<URL> {
  const fix = `set ${setting}`
  const { document, url } = await discover(issuer, options, what, fix, setting)
  const value = document[field]
  if (typeof value !== 'string') {
    throw new DiscoveryError(
      `could not discover ${what} of issuer ${issuer}: the metadata at ${endpointName(url)} has no ${field}; ${fix}`,
      issuer,
    )
  }
  try {
    return parseHttpsOrLoopbackUrl(value, `${field} of issuer ${issuer}`)
  } catch (error) {
    const reason = error instanceof TypeError ? error.message : 'invalid URL'
    throw new DiscoveryError(`could not discover ${what}: ${reason}; ${fix}`, issuer)
  }
}

/**
 * The `jwks_uri` of `issuer` from its validated metadata; https, http only on loopback.
 * @see RFC 8414 §2
 */
export function discoverJwksUri(issuer: string, options: DiscoveryOptions = {}): Promise<URL> {
  return discoverEndpoint(issuer, options, 'jwks_uri', 'the JWKS', 'authentication.jwks_uri')
}

/**
 * The `introspection_endpoint` of `issuer` from its validated metadata; https, http only on
 * loopback.
 * @see RFC 8414 §2
 * @see RFC 7662 §4
 */
export function discoverIntrospectionEndpoint(
  issuer: string,
  options: DiscoveryOptions = {},
): Promise<URL> {
  return discoverEndpoint(
    issuer,
    options,
    'introspection_endpoint',
    'the introspection endpoint',
    'authentication.introspection_endpoint',
  )
}
