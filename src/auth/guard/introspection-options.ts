import { parseHttpsOrLoopbackUrl } from '../protocol/index.js'
import { globalFetch } from './bounded-fetch.js'

/** RFC 7662 §2.1: how this server authenticates to the introspection endpoint. */
const AUTH_METHODS = ['client_secret_basic', 'client_secret_post'] as const
/** A cached answer is trusted for at most this long: revocation is seen within it. */
export const MAX_CACHE_TTL_SECONDS = 60

/** Anything holding a secret behind `reveal()`, such as the configuration's `Secret`. */
export interface SecretLike {
  reveal(): string
}

export interface IntrospectionVerifierOptions {
  /** The RFC 7662 introspection endpoint; https, http only on loopback. */
  endpoint: URL | string
  /** The pinned issuer: a response's `iss`, when present, must equal it exactly. */
  issuer: string
  /** The value the response's `aud` must contain; a response without `aud` is refused (TOK-4). */
  audience: string
  /** This server's client ID at the authorization server. */
  clientId: string
  /** This server's client secret; revealed only to build each request, never logged. */
  clientSecret: SecretLike
  /** RFC 6749 §2.3.1 client authentication (default `client_secret_basic`). */
  authMethod?: (typeof AUTH_METHODS)[number]
  /** Leeway for `exp`/`nbf`, 0–300 s (default 30). */
  clockToleranceSeconds?: number
  /** Deadline for one introspection exchange, 1–60 000 ms (default 5000). */
  fetchTimeoutMs?: number
  /** How long an active answer is trusted, 0–60 s (default 60; 0 disables the cache). */
  cacheTtlSeconds?: number
  /** Bound of the answer cache, 1–1 000 000 entries (default 10 000). */
  maxCacheEntries?: number
  /** Milliseconds since the epoch (default `Date.now`). */
  clock?: () => number
  /** For tests only (default: the global `fetch`). */
  fetch?: typeof fetch
}

/** The options once validated, with defaults filled. */
export interface IntrospectionSettings {
  endpoint: URL
  issuer: string
  audience: string
  clientId: string
  clientSecret: SecretLike
  authMethod: (typeof AUTH_METHODS)[number]
  toleranceSeconds: number
  timeoutMs: number
  cacheTtlSeconds: number
  maxCacheEntries: number
  clock: () => number
  fetch: typeof fetch
}

function intInRange(value: number, name: string, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new TypeError(`${name} must be an integer between ${min} and ${max}, got ${value}`)
  }
  return value
}

function nonEmpty(value: unknown, message: string): string {
  if (typeof value !== 'string' || value.trim() === '' || /\p{Cc}/u.test(value)) {
    throw new TypeError(message)
  }
  return value
}

function functionOr<T>(value: T | undefined, fallback: T, name: string): T {
  if (value === undefined) return fallback
  if (typeof value !== 'function') throw new TypeError(`${name} must be a function`)
  return value
}

/**
 * Validates the options of the introspection verifier at construction (CONVENTIONS §5.5); every
 * TypeError names the option and the fix. The client secret is checked for shape only: it is
 * revealed per request, so a rotated secret is picked up.
 */
export function introspectionSettings(
  options: IntrospectionVerifierOptions,
): IntrospectionSettings {
  if (typeof options !== 'object' || options === null) {
    throw new TypeError('createIntrospectionVerifier needs an options object')
  }
  const endpoint = parseHttpsOrLoopbackUrl(options.endpoint, 'introspection endpoint')
  parseHttpsOrLoopbackUrl(options.issuer, 'issuer')
  const audience = nonEmpty(
    options.audience,
    'audience must be a non-empty string; the audience check is never skipped',
  )
  const clientId = nonEmpty(
    options.clientId,
    'clientId must be a non-empty string without control characters: set authentication.introspection_client_id',
  )
  const holder = options.clientSecret as Partial<SecretLike> | null | undefined
  if (typeof holder !== 'object' || holder === null || typeof holder.reveal !== 'function') {
    throw new TypeError(
      'clientSecret must be a Secret (an object with reveal()): set authentication.introspection_client_secret to a secret reference',
    )
  }
  const authMethod = options.authMethod ?? 'client_secret_basic'
  if (!AUTH_METHODS.includes(authMethod)) {
    throw new TypeError(
      `authMethod must be one of ${AUTH_METHODS.join(', ')}, got ${JSON.stringify(authMethod)}`,
    )
  }
  const ttl = options.cacheTtlSeconds ?? MAX_CACHE_TTL_SECONDS
  return {
    endpoint,
    issuer: options.issuer,
    audience,
    clientId,
    clientSecret: options.clientSecret,
    authMethod,
    toleranceSeconds: intInRange(
      options.clockToleranceSeconds ?? 30,
      'clockToleranceSeconds',
      0,
      300,
    ),
    timeoutMs: intInRange(options.fetchTimeoutMs ?? 5000, 'fetchTimeoutMs', 1, 60_000),
    cacheTtlSeconds: intInRange(ttl, 'cacheTtlSeconds', 0, MAX_CACHE_TTL_SECONDS),
    maxCacheEntries: intInRange(options.maxCacheEntries ?? 10_000, 'maxCacheEntries', 1, 1e6),
    clock: functionOr(options.clock, Date.now, 'clock'),
    fetch: functionOr(options.fetch, globalFetch, 'fetch'),
  }
}
