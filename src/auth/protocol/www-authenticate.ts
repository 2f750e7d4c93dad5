/**
 * A tolerant parser for `WWW-Authenticate` (RFC 9110 §11.6.1), the header a 401 or 403 answer
 * uses to name its challenges (RFC 6750 §3, RFC 9728 §5.1):
 *
 *   WWW-Authenticate = #challenge
 *   challenge        = auth-scheme [ 1*SP ( token68 / #auth-param ) ]
 *   auth-param       = token BWS "=" BWS ( token / quoted-string )
 *
 * Challenges and their parameters share the comma, so an element is a parameter of the current
 * challenge when it reads `name=value`, and starts a new challenge when it is a bare token (or a
 * token followed by a space and more). Several header lines joined with `, ` parse the same as
 * one line. The parser never throws: what it cannot read it skips up to the next comma that is
 * not inside a quoted string, and returns every challenge it could read.
 */

/** One challenge of a `WWW-Authenticate` header. */
export interface WwwAuthenticateChallenge {
  /** The auth-scheme, lower-cased (schemes are case-insensitive, RFC 9110 §11.1). */
  readonly scheme: string
  /**
   * The auth-params: names lower-cased (RFC 9110 §11.2), values unquoted and unescaped, the first
   * of a repeated name kept. A prototype-less object, so any name is safe to read.
   */
  readonly params: Readonly<Record<string, string>>
  /** The token68 form (RFC 9110 §11.2), when the challenge carries one instead of params. */
  readonly token68?: string
}

/** RFC 9110 §5.6.2 tchar. */
const TOKEN = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+/y
/** RFC 9110 §11.2 token68, followed by optional whitespace and then a comma or the end. */
const TOKEN68 = /([A-Za-z0-9\-._~+/]+=*)[ \t]*(?=,|$)/y
/** `name BWS = BWS value` where value is a token or a complete quoted-string. */
const PARAM =
  /([!#$%&'*+\-.^_`|~0-9A-Za-z]+)[ \t]*=[ \t]*(?:"((?:[^"\\]|\\[\s\S])*)"|([!#$%&'*+\-.^_`|~0-9A-Za-z]+))/y
/** The start of an auth-param (`name =`): never a scheme, which a space, comma or end follows. */
const PARAM_START = /[!#$%&'*+\-.^_`|~0-9A-Za-z]+[ \t]*=/y
const WHITESPACE = /[ \t]*/y
/** Far above any real header (Node refuses header sections over 16 KiB by default). */
const MAX_LENGTH = 16 * 1024
const SEPARATORS = /[ \t,]*/y

function matchAt(pattern: RegExp, text: string, at: number): RegExpExecArray | null {
  pattern.lastIndex = at
  return pattern.exec(text)
}

function skip(pattern: RegExp, text: string, at: number): number {
  return at + (matchAt(pattern, text, at)?.[0].length ?? 0)
}

/** The index of the next comma outside a quoted string (or the end): how garbage is skipped. */
function nextComma(text: string, at: number): number {
  let quoted = false
  for (let i = at; i < text.length; i += 1) {
    const c = text[i]
    if (quoted && c === '\\') i += 1
    else if (c === '"') quoted = !quoted
    else if (c === ',' && !quoted) return i
  }
  return text.length
}

interface Draft {
  scheme: string
  params: Record<string, string>
  token68?: string
}

/** Reads `name=value` at `at` into `draft`; the index after it, or -1 when there is none. */
function readParam(text: string, at: number, draft: Draft): number {
  const m = matchAt(PARAM, text, at)
  if (m === null) return -1
  const name = (m[1] ?? '').toLowerCase()
  const value = m[2] === undefined ? (m[3] ?? '') : m[2].replace(/\\([\s\S])/g, '$1')
  if (!(name in draft.params)) draft.params[name] = value
  return at + m[0].length
}

/**
 * Parses a `WWW-Authenticate` value into its challenges, in order. Absent, empty or unreadable
 * input gives `[]`; it never throws.
 * @see RFC 9110 §11.6.1
 * @see RFC 6750 §3
 */
export function parseWwwAuthenticate(
  header: string | null | undefined,
): WwwAuthenticateChallenge[] {
  if (typeof header !== 'string') return []
  const text = header.slice(0, MAX_LENGTH)
  const drafts: Draft[] = []
  let current: Draft | undefined
  let at = 0
  while (at < text.length) {
    at = skip(SEPARATORS, text, at)
    if (at >= text.length) break
    const paramEnd =
      current !== undefined && current.token68 === undefined ? readParam(text, at, current) : -1
    if (paramEnd >= 0) {
      // A further parameter of the current challenge.
      at = paramEnd
    } else if (matchAt(PARAM_START, text, at) !== null || matchAt(TOKEN, text, at) === null) {
      // A parameter with no challenge to belong to, or garbage: skip the element.
      at = nextComma(text, at) + 1
      continue
    } else {
      const scheme = matchAt(TOKEN, text, at)?.[0] ?? ''
      current = { scheme: scheme.toLowerCase(), params: Object.create(null) as Draft['params'] }
      drafts.push(current)
      at += scheme.length
      const gap = skip(WHITESPACE, text, at)
      if (gap > at && gap < text.length && text[gap] !== ',') {
        const end = readParam(text, gap, current)
        const token68 = end < 0 ? matchAt(TOKEN68, text, gap) : null
        if (end >= 0) at = end
        else if (token68 !== null) {
          current.token68 = token68[1]
          at = gap + token68[0].length
        } else at = gap
      }
    }
    at = skip(WHITESPACE, text, at)
    // Anything but a comma here is garbage up to the next element.
    if (at < text.length && text[at] !== ',') at = nextComma(text, at)
  }
  return drafts.map((d) =>
    d.token68 === undefined
      ? { scheme: d.scheme, params: d.params }
      : { scheme: d.scheme, params: d.params, token68: d.token68 },
  )
}
