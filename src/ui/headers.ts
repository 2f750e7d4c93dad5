/** Where the app serves `UI_STYLESHEET`; every page links it from this same-origin path. */
export const UI_STYLESHEET_PATH = '/oauth/assets/ui.css'

/** Schemes that must never be allowed as a form target, even when a caller passes them. */
const FORBIDDEN_SCHEMES = new Set(['javascript:', 'data:', 'blob:', 'filesystem:', 'about:'])

/**
 * The CSP source expression for one form target: the origin of an `http(s)` URL, or the bare
 * scheme (`com.example.app:`) of a private-use redirect URI (RFC 8252 §7.1). Throws a
 * `TypeError` for anything else, so a malformed value can never inject a directive.
 */
function formActionSource(value: string): string {
  let url: URL
  try {
    url = new URL(value)
  } catch {
    throw new TypeError(
      `formActionOrigins: not an absolute URL or origin: ${JSON.stringify(value)}`,
    )
  }
  if (url.protocol === 'https:' || url.protocol === 'http:') return url.origin
  if (FORBIDDEN_SCHEMES.has(url.protocol) || !/^[a-z][a-z0-9+.-]*:$/.test(url.protocol)) {
    throw new TypeError(`formActionOrigins: scheme not allowed: ${JSON.stringify(url.protocol)}`)
  }
  return url.protocol
}

/**
 * Response headers for every HTML page of the authorization server.
 *
 * The CSP allows no script at all, the stylesheet only from our origin, images from our origin,
 * any `https:` host (client logos) and `data:` (the empty favicon), and forms only to our origin
 * plus `formActionOrigins`.
 *
 * Why the consent page passes the client's redirect origin in `formActionOrigins`: Chromium
 * enforces `form-action` on every hop of the redirect chain that follows a form POST (CSP Level
 * 3, "form-action" applies to navigations that result from form submission, redirects included).
 * The consent form posts to us, and the authorization server answers with a 303 to the client's
 * `redirect_uri`; without that origin in `form-action`, Chromium blocks the final redirect and
 * the user sees an error page instead of returning to the app. Pass origins
 * (`https://app.example`), URLs (their origin is used) or private-use schemes
 * (`com.example.app:`); anything else throws.
 *
 * Why `Referrer-Policy: same-origin` and not `no-referrer`: under `no-referrer` browsers send
 * `Origin: null` on the pages' own form POSTs (Fetch, "append a request Origin header"), which the
 * server's same-origin check must refuse, so no form would work. `same-origin` keeps the real
 * `Origin` on our own POSTs and still sends no `Referer` to any other origin (the client's
 * redirect URI, its home page, its logo).
 */
export function uiSecurityHeaders(o?: { formActionOrigins?: string[] }): Record<string, string> {
  const formAction = ["'self'"]
  for (const value of o?.formActionOrigins ?? []) {
    const source = formActionSource(value)
    if (!formAction.includes(source)) formAction.push(source)
  }
  return {
    'Content-Security-Policy': [
      "default-src 'none'",
      "style-src 'self'",
      "img-src 'self' https: data:",
      `form-action ${formAction.join(' ')}`,
      "frame-ancestors 'none'",
      "base-uri 'none'",
    ].join('; '),
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'same-origin',
    'Cache-Control': 'no-store',
    'X-Content-Type-Options': 'nosniff',
    'Content-Type': 'text/html; charset=utf-8',
  }
}

/** Response headers for `UI_STYLESHEET` at `UI_STYLESHEET_PATH` (public, cached for an hour). */
export function uiStylesheetHeaders(): Record<string, string> {
  return {
    'Content-Type': 'text/css; charset=utf-8',
    'Cache-Control': 'public, max-age=3600',
    'X-Content-Type-Options': 'nosniff',
  }
}
