/**
 * URL safety for OAuth endpoints: HTTPS everywhere except loopback (OAuth 2.1 §1.5, RFC 8252 §8.3).
 */

/** True for `localhost`, `*.localhost`, 127.0.0.0/8 and `[::1]` (RFC 6761 §6.3, RFC 8252 §8.3). */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase()
  if (host === 'localhost' || host.endsWith('.localhost')) return true
  if (host === '[::1]' || host === '::1') return true
  return /^127(?:\.(?:25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/.test(host)
}

/**
 * Parses `value` and refuses anything but `https:` (or `http:` on a loopback host), user
 * information and fragments. Throws a TypeError naming `what` and the fix.
 */
export function parseHttpsOrLoopbackUrl(value: string | URL, what: string): URL {
  const text = value instanceof URL ? value.href : value
  if (typeof text !== 'string' || !URL.canParse(text)) {
    throw new TypeError(`${what} must be an absolute URL, got ${JSON.stringify(text)}`)
  }
  const url = new URL(text)
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHostname(url.hostname)
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new TypeError(
      `${what} must use https (plain http is allowed only on loopback hosts), got ${url.origin}`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError(`${what} must not carry user information`)
  }
  if (url.hash !== '') throw new TypeError(`${what} must not have a fragment`)
  return url
}
