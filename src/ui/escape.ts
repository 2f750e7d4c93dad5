/**
 * HTML escaping and URL checks for the server-rendered pages. Every value that a user, a client
 * or a request controls goes through `escapeHtml` before it reaches markup; attribute values are
 * always double-quoted, so escaping `&`, `<`, `>`, `"` and `'` is enough for text and attributes.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
}

/** `s` with the five HTML-significant characters replaced by entities. */
export function escapeHtml(s: string): string {
  return String(s).replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c)
}

/** The normalised URL when `value` is an absolute `https:` URL without credentials, else undefined. */
export function httpsUrl(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined
  let url: URL
  try {
    url = new URL(value)
  } catch {
    return undefined
  }
  if (url.protocol !== 'https:' || url.username !== '' || url.password !== '') return undefined
  return url.href
}

/**
 * A link target the pages may render: a same-origin absolute path (`/…` but not `//…` or `/\…`)
 * or an absolute `http:`/`https:` URL. Anything else (`javascript:`, `data:`, relative paths)
 * gives undefined.
 */
export function safeHref(value: string | undefined): string | undefined {
  if (typeof value !== 'string' || value.length === 0 || value.length > 2048) return undefined
  if (value.startsWith('/')) {
    if (value.startsWith('//') || value.startsWith('/\\')) return undefined
    // eslint-disable-next-line no-control-regex
    return /[\u0000-\u001f\u007f\s]/u.test(value) ? undefined : value
  }
  try {
    const url = new URL(value)
    return url.protocol === 'https:' || url.protocol === 'http:' ? url.href : undefined
  } catch {
    return undefined
  }
}
