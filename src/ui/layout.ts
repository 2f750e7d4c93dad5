import { escapeHtml, httpsUrl } from './escape.js'
import { UI_STYLESHEET_PATH } from './headers.js'

/** The product name shown in every page header and title. */
export const PRODUCT_NAME = 'mcp-pa'

/**
 * A complete HTML document around `body` (already escaped markup). `title` is plain text.
 * No script, no inline style: the only external resource is the same-origin stylesheet (and
 * an empty `data:` favicon, so the browser does not ask for `/favicon.ico`).
 */
export function renderDocument(o: { title: string; body: string; wide?: boolean }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="referrer" content="same-origin">
<meta name="robots" content="noindex, nofollow">
<title>${escapeHtml(o.title)} · ${PRODUCT_NAME}</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="${UI_STYLESHEET_PATH}">
</head>
<body>
<div class="page${o.wide === true ? ' page-wide' : ''}">
<header class="brand"><span class="brand-mark" aria-hidden="true"></span><span class="brand-name">${PRODUCT_NAME}</span></header>
<main class="card">
${o.body}
</main>
<footer class="foot">${PRODUCT_NAME} · personal assistant server</footer>
</div>
</body>
</html>
`
}

/** The hidden CSRF field every form carries (`csrf`). */
export function csrfField(token: string): string {
  return `<input type="hidden" name="csrf" value="${escapeHtml(token)}">`
}

/** An error (role="alert") or notice (role="status") box, or nothing for an empty message. */
export function messageBox(kind: 'error' | 'notice', text: string | undefined): string {
  if (text === undefined || text.length === 0) return ''
  const role = kind === 'error' ? 'alert' : 'status'
  return `<p class="box box-${kind}" role="${role}">${escapeHtml(text)}</p>`
}

/** A logo `<img>` for an `https:` URL only; `javascript:`, `http:`, `data:` and junk give ''. */
export function logoImage(logoUri: string | undefined): string {
  const src = httpsUrl(logoUri)
  if (src === undefined) return ''
  return `<img class="client-logo" src="${escapeHtml(src)}" alt="" width="48" height="48" referrerpolicy="no-referrer">`
}

/** A date (epoch milliseconds) as `2025-01-31 14:05 UTC`, inside a `<time>` element. */
export function formatTime(epochMs: number): string {
  const date = new Date(epochMs)
  if (!Number.isFinite(date.getTime())) return 'unknown'
  const iso = date.toISOString()
  return `<time datetime="${iso}">${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC</time>`
}
