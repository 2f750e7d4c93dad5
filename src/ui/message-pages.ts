import { escapeHtml, safeHref } from './escape.js'
import { renderDocument } from './layout.js'

export interface ErrorPageOptions {
  /** The HTTP status the response carries; shown small above the title. */
  status: number
  title: string
  message: string
  /** A technical line (e.g. the OAuth error code and description), shown under "Details". */
  detail?: string
}

/**
 * An error shown to the person instead of redirecting: OAuth errors that must not go to the
 * client (unknown client, bad `redirect_uri`, RFC 6749 §4.1.2.1). Everything is escaped, so
 * request values may appear in `message` or `detail`.
 */
export function renderErrorPage(o: ErrorPageOptions): string {
  const status = Number.isInteger(o.status) ? `Error ${o.status}` : 'Error'
  const detail =
    o.detail === undefined || o.detail.length === 0
      ? ''
      : `<details class="detail"><summary>Details</summary><p class="mono break">${escapeHtml(o.detail)}</p></details>`
  const body = `<p class="eyebrow eyebrow-error">${status}</p>
<h1>${escapeHtml(o.title)}</h1>
<p class="lead">${escapeHtml(o.message)}</p>
${detail}
<p class="muted small">You can close this page. If you keep seeing it, tell the person who runs this server or the app you were using.</p>`
  return renderDocument({ title: o.title, body })
}

export interface MessagePageOptions {
  title: string
  message: string
  /** A link shown as a button; only same-origin paths and `http(s):` URLs are rendered. */
  link?: { href: string; text: string }
}

/** A short page with a title, a sentence and an optional link (signed out, access revoked…). */
export function renderMessagePage(o: MessagePageOptions): string {
  const href = safeHref(o.link?.href)
  const link =
    o.link === undefined || href === undefined
      ? ''
      : `<div class="actions"><a class="button button-primary" href="${escapeHtml(href)}">${escapeHtml(o.link.text)}</a></div>`
  const body = `<h1>${escapeHtml(o.title)}</h1>
<p class="lead">${escapeHtml(o.message)}</p>
${link}`
  return renderDocument({ title: o.title, body })
}
