/**
 * Reading why an authorization endpoint refused a request by itself. RFC 6749 §4.1.2.1: when the
 * client or its redirect URI is not valid, the server must not redirect back; it answers the
 * browser with an error page (or JSON). Used by the headless login and the pre-flight check of
 * a printed or opened authorization URL (authorize-preflight.ts).
 */

/**
 * The OAuth error an authorization server's answer names, when it refused the request itself
 * (RFC 6749 §4.1.2.1: an unknown client or redirect URI gets an error page, never a redirect):
 * a JSON error, or `error: description` in the text of an HTML page. Control characters are
 * dropped and the text capped: it comes from the server and goes to a terminal.
 */
export function refusalIn(body: string): string | undefined {
  const clean = (value: string) =>
    value
      .replace(/[\p{Cc}\p{Cf}]/gu, ' ')
      .replace(/\s+/g, ' ')
      .trim()
      .slice(0, 300)
  try {
    const json = JSON.parse(body) as { error?: unknown; error_description?: unknown }
    if (typeof json.error === 'string' && /^[a-z_]{1,64}$/.test(json.error)) {
      const description = typeof json.error_description === 'string' ? json.error_description : ''
      return clean(description === '' ? json.error : `${json.error}: ${description}`)
    }
  } catch {
    // not JSON: an HTML page
  }
  const text = body
    .replace(/<[^>]*>/g, '\n')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#39;/g, "'")
    .replace(/&amp;/g, '&')
  const match =
    /\b((?:invalid|unauthorized|unsupported)_[a-z_]{1,48}|access_denied|server_error)\b(?:: *([^\n]+))?/.exec(
      text,
    )
  if (match?.[1] === undefined) return undefined
  return clean(match[2] === undefined ? match[1] : `${match[1]}: ${match[2]}`)
}
