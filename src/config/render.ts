/**
 * The effective configuration as text for `mcp-pa config check`. Secret fields hold references
 * (`env:NAME` names a variable, it is not a value), so they are shown; any password that reached
 * a URL anyway is replaced by `***`.
 */
import type { Config } from './schema.js'

const MASK = '***'
const SENSITIVE_PARAM = /pass|secret|token|key/i

/** A URL with its password (user info or a password-like query parameter) replaced by `***`. */
export function redactUrl(url: string): string {
  if (!URL.canParse(url)) {
    // Not parseable: mask anything between "user:" and the last "@" of the authority.
    return url.replace(/^([a-z][a-z0-9+.-]*:\/\/[^:@/]*):.*@/i, `$1:${MASK}@`)
  }
  const parsed = new URL(url)
  let changed = false
  if (parsed.password !== '') {
    parsed.password = MASK
    changed = true
  }
  for (const key of [...parsed.searchParams.keys()]) {
    if (SENSITIVE_PARAM.test(key)) {
      parsed.searchParams.set(key, MASK)
      changed = true
    }
  }
  return changed ? parsed.toString() : url
}

function redact(value: unknown): unknown {
  if (typeof value === 'string')
    return /^[a-z][a-z0-9+.-]*:\/\//i.test(value) ? redactUrl(value) : value
  if (Array.isArray(value)) return value.map(redact)
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, inner]) => [key, redact(inner)]))
  }
  return value
}

/** Pretty JSON of the effective configuration, URL passwords masked. */
export function renderEffectiveConfig(config: Config): string {
  return JSON.stringify(redact(config), null, 2)
}
