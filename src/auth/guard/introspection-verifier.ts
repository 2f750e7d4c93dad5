import { OAuthError, sha256Hex, tokenFingerprint } from '../protocol/index.js'
import { boundedFetch, endpointName, FetchFailure, parseJsonObject } from './bounded-fetch.js'
import { ExpiringLru } from '../protocol/index.js'
import { judgeIntrospection } from './introspection-claims.js'
import type { IntrospectionJudgement } from './introspection-claims.js'
import { introspectionSettings } from './introspection-options.js'
import type {
  IntrospectionSettings,
  IntrospectionVerifierOptions,
} from './introspection-options.js'
import type { TokenVerifier, VerifiedToken } from './verifier.js'

const INVALID = 'the access token is invalid or expired'
const UNAVAILABLE = 'the access token cannot be verified right now'
/** Far above any real introspection answer; bounds what a hostile endpoint can make us read. */
const MAX_BODY_BYTES = 64 * 1024
/** Refusals are remembered briefly, so a flood of one bad token costs one request per period. */
const NEGATIVE_TTL_SECONDS = 10

function unavailable(detail: string): OAuthError {
  return new OAuthError('temporarily_unavailable', UNAVAILABLE, { detail })
}

/** RFC 6749 §2.3.1 / Appendix B: the id and the secret are each form-encoded before Basic. */
function formEncoded(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1)
}

/** The RFC 7662 §2.1 request, with RFC 6749 §2.3.1 client authentication. */
function introspectionRequest(settings: IntrospectionSettings, token: string): RequestInit {
  let secret: unknown
  try {
    secret = settings.clientSecret.reveal()
  } catch {
    secret = undefined
  }
  if (typeof secret !== 'string' || secret.length === 0) {
    throw unavailable('the introspection client secret could not be read')
  }
  const body = new URLSearchParams({ token, token_type_hint: 'access_token' })
  const headers = new Headers({
    Accept: 'application/json',
    'Content-Type': 'application/x-www-form-urlencoded',
  })
  if (settings.authMethod === 'client_secret_post') {
    body.set('client_id', settings.clientId)
    body.set('client_secret', secret)
  } else {
    const credentials = `${formEncoded(settings.clientId)}:${formEncoded(secret)}`
    headers.set('Authorization', `Basic ${btoa(credentials)}`)
  }
  return { method: 'POST', headers, body }
}

/** Whether a 400 body is an RFC 7009-style `unsupported_token_type` error about the token. */
function refusesTheToken(body: string): boolean {
  try {
    const parsed = JSON.parse(body) as { error?: unknown }
    return parsed.error === 'unsupported_token_type'
  } catch {
    return false
  }
}

/** One exchange with the endpoint: the answer as a JSON object, or `temporarily_unavailable`. */
async function introspect(
  settings: IntrospectionSettings,
  token: string,
): Promise<Record<string, unknown>> {
  const where = endpointName(settings.endpoint)
  const init = introspectionRequest(settings, token)
  try {
    const { status, body } = await boundedFetch(settings.endpoint, init, {
      fetch: settings.fetch,
      timeoutMs: settings.timeoutMs,
      maxBytes: MAX_BODY_BYTES,
    })
    if (status === 401 || status === 403) {
      throw unavailable(
        `the introspection endpoint refused this server's client credentials (HTTP ${status}): check authentication.introspection_client_id / introspection_client_secret`,
      )
    }
    if (status === 400 && refusesTheToken(body)) {
      // Some servers (oidc-provider with JWT access tokens) answer a token they will not
      // introspect with 400 unsupported_token_type instead of `active: false`: the token is not
      // usable here, and the caller must get 401, not 503.
      throw new OAuthError('invalid_token', 'the access token is invalid or expired', {
        detail: `introspection at ${where}: HTTP 400 unsupported_token_type`,
      })
    }
    if (status < 200 || status > 299) {
      throw unavailable(`introspection at ${where}: answered HTTP ${status}`)
    }
    return parseJsonObject(body)
  } catch (error) {
    if (error instanceof OAuthError) throw error
    const reason = error instanceof FetchFailure ? error.message : 'unexpected failure'
    throw unavailable(`introspection at ${where}: ${reason}`)
  }
}

/**
 * A {@link TokenVerifier} for opaque (or any) access tokens, asking the authorization server's
 * RFC 7662 introspection endpoint. Answers are judged by `judgeIntrospection` (active, exp, nbf,
 * iss, aud, sub). Active answers are cached for min(`cacheTtlSeconds`, exp − now), refusals for
 * 10 s, in a bounded LRU keyed by the SHA-256 of the token; concurrent lookups of one token share
 * one request. Every failure to get an answer (network, timeout, redirect, non-2xx, oversized or
 * non-JSON body) is `temporarily_unavailable` with a private detail that never holds the token.
 * @see RFC 7662 §2
 * @see RFC 6749 §2.3.1
 */
export function createIntrospectionVerifier(options: IntrospectionVerifierOptions): TokenVerifier {
  const settings = introspectionSettings(options)
  const cache = new ExpiringLru<IntrospectionJudgement>(settings.maxCacheEntries)
  const inflight = new Map<string, Promise<IntrospectionJudgement>>()

  function remember(key: string, judgement: IntrospectionJudgement, nowMs: number): void {
    if ('verified' in judgement) {
      const ttlEnd = nowMs + settings.cacheTtlSeconds * 1000
      const until = Math.min(ttlEnd, judgement.verified.expiresAt * 1000)
      if (until > nowMs) cache.set(key, judgement, until, nowMs)
    } else if (judgement.lasting) {
      const ttl = Math.min(NEGATIVE_TTL_SECONDS, settings.cacheTtlSeconds)
      if (ttl > 0) cache.set(key, judgement, nowMs + ttl * 1000, nowMs)
    }
  }

  async function lookup(token: string, key: string): Promise<IntrospectionJudgement> {
    const claims = await introspect(settings, token)
    const nowMs = settings.clock()
    const judgement = judgeIntrospection(claims, settings, nowMs, tokenFingerprint(token))
    remember(key, judgement, nowMs)
    return judgement
  }

  function settle(judgement: IntrospectionJudgement, cached: boolean): VerifiedToken {
    if ('verified' in judgement) {
      const { verified } = judgement
      return { ...verified, scopes: [...verified.scopes], audience: [...verified.audience] }
    }
    const detail = cached ? `${judgement.refused} (cached)` : judgement.refused
    throw new OAuthError('invalid_token', INVALID, { detail })
  }

  return {
    async verify(token: string): Promise<VerifiedToken> {
      if (typeof token !== 'string' || token.length === 0) {
        throw new OAuthError('invalid_token', INVALID, { detail: 'empty token' })
      }
      const key = sha256Hex(token)
      const cached = cache.get(key, settings.clock())
      if (cached !== undefined) return settle(cached, true)
      let pending = inflight.get(key)
      if (pending === undefined) {
        pending = lookup(token, key).finally(() => inflight.delete(key))
        inflight.set(key, pending)
      }
      return settle(await pending, false)
    },
  }
}
