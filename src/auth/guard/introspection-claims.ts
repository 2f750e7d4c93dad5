import type { IntrospectionSettings } from './introspection-options.js'
import { SENDER_CONSTRAINED } from './verifier.js'
import type { VerifiedToken } from './verifier.js'

/**
 * What an introspection answer means for the guard: a verified token, or a refusal with a private
 * detail. `lasting` refusals stay true for this token (inactive, expired, wrong audience…) and may
 * be cached; a token whose `nbf` is still ahead may become valid, so that refusal is not.
 */
export type IntrospectionJudgement =
  { verified: VerifiedToken } | { refused: string; lasting: boolean }

const refuse = (refused: string, lasting = true) => ({ refused, lasting })

function optionalNumber(claims: Record<string, unknown>, name: string): number | null | undefined {
  const value = claims[name]
  if (value === undefined) return undefined
  return typeof value === 'number' && Number.isFinite(value) ? value : null
}

function audienceOf(aud: unknown): string[] | undefined {
  if (typeof aud === 'string') return [aud]
  if (Array.isArray(aud) && aud.every((a) => typeof a === 'string')) return [...aud]
  return undefined
}

function scopesOf(scope: unknown): string[] | undefined {
  if (scope === undefined) return []
  if (typeof scope !== 'string') return undefined
  return scope.split(' ').filter((s) => s !== '')
}

/**
 * Judges an RFC 7662 §2.2 answer (TOK-3, TOK-4): `active` must be `true`; `exp` (optional in
 * RFC 7662) and `nbf` are checked with the leeway; `iss`, when present, must equal the pinned
 * issuer; `aud` must be present and contain the configured audience; `sub` is required (the
 * identity is issuer + sub); `token_type`, when present, must be Bearer, and a sender-constrained
 * token (`cnf`, RFC 8705 §3.2 / RFC 9449 §6.2) is refused, since no proof of possession is checked
 * here. No detail quotes a value from the answer.
 */
export function judgeIntrospection(
  claims: Record<string, unknown>,
  settings: IntrospectionSettings,
  nowMs: number,
  tokenFingerprint: string,
): IntrospectionJudgement {
  if (claims.active !== true) return refuse('inactive: the introspection answer is not active')
  const leewayMs = settings.toleranceSeconds * 1000
  const exp = optionalNumber(claims, 'exp')
  const nbf = optionalNumber(claims, 'nbf')
  if (exp === null || nbf === null) return refuse('malformed exp or nbf')
  if (exp !== undefined && exp * 1000 + leewayMs <= nowMs) return refuse('expired (exp)')
  if (nbf !== undefined && nbf * 1000 - leewayMs > nowMs) return refuse('nbf in the future', false)
  if (claims.iss !== undefined && claims.iss !== settings.issuer) {
    return refuse('iss is not the configured issuer')
  }
  if (claims.aud === undefined) return refuse('aud missing; the audience check is never skipped')
  const audience = audienceOf(claims.aud)
  if (audience === undefined) return refuse('malformed aud')
  if (!audience.includes(settings.audience)) {
    return refuse('aud does not contain the configured audience')
  }
  if (typeof claims.sub !== 'string' || claims.sub === '') return refuse('sub missing')
  const type = claims.token_type
  if (type !== undefined && (typeof type !== 'string' || type.toLowerCase() !== 'bearer')) {
    return refuse('token_type is not Bearer')
  }
  if (claims.cnf !== undefined) return refuse(SENDER_CONSTRAINED)
  const scopes = scopesOf(claims.scope)
  if (scopes === undefined) return refuse('malformed scope')
  // Without exp, the answer is vouched for only until the end of the cache period.
  const expiresAt = exp ?? Math.floor(nowMs / 1000) + Math.max(settings.cacheTtlSeconds, 1)
  const clientId = claims.client_id
  return {
    verified: {
      subject: claims.sub,
      issuer: settings.issuer,
      scopes,
      audience,
      expiresAt,
      ...(typeof clientId === 'string' ? { clientId } : {}),
      tokenFingerprint,
    },
  }
}
