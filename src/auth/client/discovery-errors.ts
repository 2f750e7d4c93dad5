/**
 * Why discovery stopped. Messages name the URLs tried (origin and path only), what each answered
 * and what to fix; they never contain a token, since discovery never holds one.
 */
import { ClientFetchError } from './url-policy.js'

export type DiscoveryErrorCode =
  /** The server URL given by the user is not an absolute http(s) URL. */
  | 'invalid_server_url'
  /** The MCP server could not be reached (network, TLS, timeout, redirect). */
  | 'server_unreachable'
  /** No protected resource metadata at `resource_metadata` or the well-known URLs (PRM-6). */
  | 'no_resource_metadata'
  /** The metadata is not usable: no `resource`, no `authorization_servers`, wrong types. */
  | 'invalid_resource_metadata'
  /** The metadata describes another resource than the server (PRM-8, RFC 9728 §3.3). */
  | 'resource_mismatch'
  /** An issuer listed in the metadata is not a usable issuer URL (T-7, SSRF, RFC 8414 §2). */
  | 'invalid_issuer'
  /** No metadata at any of the issuer's well-known URLs (ASD-2, ASD-3). */
  | 'no_authorization_server_metadata'
  /** The metadata names another issuer than the one it was fetched for (ASD-5, RFC 8414 §3.3). */
  | 'issuer_mismatch'
  /** `code_challenge_methods_supported` is absent or lacks `S256` (PKCE-3). */
  | 'pkce_unsupported'
  /** Required endpoints are missing or unsafe, or a field has the wrong type (URL-1). */
  | 'invalid_authorization_server_metadata'
  /** Several authorization servers are listed and none is usable (PRM-9); see `problems`. */
  | 'no_usable_authorization_server'

export interface DiscoveryErrorOptions {
  cause?: unknown
  /** One error per authorization server, for `no_usable_authorization_server`. */
  problems?: readonly DiscoveryError[]
  /** See {@link DiscoveryError.notPublished}. */
  notPublished?: boolean
}

export class DiscoveryError extends Error {
  readonly code: DiscoveryErrorCode
  readonly problems: readonly DiscoveryError[]
  /**
   * `no_resource_metadata` only: no `resource_metadata` URL was named and every well-known URL
   * answered a status saying there is no document ({@link documentAbsent}). Only then may a
   * 2025-03-26 server be assumed (legacy-discovery.ts); a timeout, a 5xx, a redirect or a body
   * that is not a JSON object leave it false.
   */
  readonly notPublished: boolean

  constructor(code: DiscoveryErrorCode, message: string, options: DiscoveryErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause })
    this.name = 'DiscoveryError'
    this.code = code
    this.problems = options.problems ?? []
    this.notPublished = options.notPublished ?? false
  }
}

/**
 * Whether a failed metadata request means "there is no such document": the server answered with
 * a 4xx status (404 in practice; also 401, 403, 405, 410…), but not 408 or 429, which are
 * transient. Anything else (network error, timeout, 5xx, redirect, a body that is not a JSON
 * object) leaves the question open, and the legacy fallbacks must not engage on it.
 */
export function documentAbsent(error: unknown): boolean {
  if (!(error instanceof ClientFetchError) || error.code !== 'unexpected_status') return false
  const status = error.status ?? 0
  return status >= 400 && status < 500 && status !== 408 && status !== 429
}

/** A value from a server, quoted and shortened for a message. */
export function quoteValue(value: unknown): string {
  if (value === undefined || value === null) return 'none'
  if (typeof value !== 'string') return Array.isArray(value) ? 'a list' : `a ${typeof value}`
  return JSON.stringify(value.length > 200 ? `${value.slice(0, 200)}…` : value)
}
