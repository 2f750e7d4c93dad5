import { clientIdentity, clientSource, type ClientView } from './client-view.js'
import { escapeHtml } from './escape.js'
import { PRODUCT_NAME, csrfField, formatTime, messageBox, renderDocument } from './layout.js'
import type { ScopeText } from './scopes.js'

/** One app with access to the account (one grant). */
export interface ConnectedApp {
  /** Opaque reference the revoke form posts back as `grant`. */
  grantRef: string
  client: ClientView
  scopes: ScopeText[]
  /** Epoch milliseconds. */
  grantedAt: number
  /** Epoch milliseconds; omitted when the access lasts until revoked. */
  expiresAt?: number
}

export interface AccountPageOptions {
  csrfToken: string
  accountName: string
  apps: ConnectedApp[]
  /** Where each revoke form posts (`csrf`, `grant`). */
  revokeAction: string
  /** Where the sign-out form posts (`csrf`). */
  logoutAction: string
  /** Shown in a status box (e.g. "Access revoked."). */
  notice?: string
}

function appCard(app: ConnectedApp, revokeAction: string, csrfToken: string): string {
  const scopes = app.scopes
    .map((s) => `<li><span class="scope-text">${escapeHtml(s.description)}</span></li>`)
    .join('\n')
  const expiry =
    app.expiresAt === undefined ? 'Until you revoke it' : `Until ${formatTime(app.expiresAt)}`
  return `<li class="app">
${clientIdentity(app.client, 'h3')}
<p class="muted small">${clientSource(app.client)}</p>
${scopes === '' ? '<p class="muted">No permissions beyond knowing that you signed in.</p>' : `<ul class="scopes scopes-compact">\n${scopes}\n</ul>`}
<dl class="facts">
<dt>Connected</dt><dd>${formatTime(app.grantedAt)}</dd>
<dt>Access</dt><dd>${expiry}</dd>
</dl>
<form method="post" action="${escapeHtml(revokeAction)}" class="form-inline">
${csrfField(csrfToken)}
<input type="hidden" name="grant" value="${escapeHtml(app.grantRef)}">
<button type="submit" class="button button-danger">Revoke access<span class="visually-hidden"> for ${escapeHtml(app.client.host)}</span></button>
</form>
</li>`
}

/** The account page: connected apps, each with a revoke button, and sign out. */
export function renderAccountPage(o: AccountPageOptions): string {
  const apps =
    o.apps.length === 0
      ? `<p class="empty">No apps are connected to your account. When you allow an app to use your ${PRODUCT_NAME} account, it appears here and you can revoke its access.</p>`
      : `<ul class="apps">\n${o.apps.map((app) => appCard(app, o.revokeAction, o.csrfToken)).join('\n')}\n</ul>`
  const body = `<h1>Your account</h1>
<p class="lead">Signed in as <strong class="break">${escapeHtml(o.accountName)}</strong></p>
${messageBox('notice', o.notice)}
<h2>Connected apps</h2>
${apps}
<form method="post" action="${escapeHtml(o.logoutAction)}" class="form-inline signout">
${csrfField(o.csrfToken)}
<button type="submit" class="button button-secondary">Sign out</button>
</form>`
  return renderDocument({ title: 'Your account', body, wide: true })
}
