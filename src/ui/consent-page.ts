import { clientHomeLink, clientIdentity, clientSource, type ClientView } from './client-view.js'
import { escapeHtml } from './escape.js'
import { PRODUCT_NAME, csrfField, renderDocument } from './layout.js'
import type { ScopeText } from './scopes.js'

export interface ConsentPageOptions {
  /** Where the form posts (the interaction's confirm URL). */
  action: string
  csrfToken: string
  client: ClientView
  /** The host of the redirect URI the authorization goes to (e.g. `127.0.0.1`, `app.example`). */
  redirectHost: string
  /** True when every redirect URI of the client is a loopback address: show the warning. */
  allRedirectsLoopback: boolean
  scopes: ScopeText[]
  /** The resource (MCP endpoint URI) the tokens are for, when the request named one. */
  resource?: string
  /** The signed-in account's name, as the person knows it. */
  accountName: string
  /** Whether "remember this decision" starts ticked (default false). */
  rememberDefault?: boolean
  /** Whether the page offers "remember" at all (default true; never for loopback apps, which are asked every time). */
  offerRemember?: boolean
}

function scopeList(scopes: ScopeText[]): string {
  if (scopes.length === 0) {
    return '<p class="muted">It asks for no permissions beyond knowing that you signed in.</p>'
  }
  const items = scopes
    .map(
      (s) =>
        `<li><span class="scope-text">${escapeHtml(s.description)}</span> <code class="scope-id">${escapeHtml(s.scope)}</code></li>`,
    )
    .join('\n')
  return `<ul class="scopes">\n${items}\n</ul>`
}

const LOOPBACK_WARNING = `<div class="box box-warning" role="note">
<p class="box-title">Did you start this sign-in?</p>
<p>This app receives the approval on this computer (localhost), so any program running here could be asking. Only continue if you started this sign-in yourself, just now, from an app you trust. If not, choose Deny.</p>
</div>`

/**
 * The consent page: who is asking (host first and large), what it may do, where the answer goes.
 * Posts `csrf`, `decision=allow|deny` (the button pressed) and `remember=on` when ticked.
 */
export function renderConsentPage(o: ConsentPageOptions): string {
  const home = clientHomeLink(o.client)
  const resource =
    o.resource !== undefined && o.resource.length > 0
      ? `<dt>For the server</dt><dd class="break">${escapeHtml(o.resource)}</dd>`
      : ''
  const body = `<p class="eyebrow">Access request</p>
${clientIdentity(o.client, 'h1')}
<p class="lead">wants to access your ${PRODUCT_NAME} account <strong class="break">${escapeHtml(o.accountName)}</strong>.</p>
<p class="muted">${clientSource(o.client)}</p>
${o.allRedirectsLoopback ? LOOPBACK_WARNING : ''}
<h2>It will be able to</h2>
${scopeList(o.scopes)}
<dl class="facts">
<dt>Signed in as</dt><dd class="break">${escapeHtml(o.accountName)}</dd>
<dt>Sends you back to</dt><dd class="break">${escapeHtml(o.redirectHost)}</dd>
${resource}
${home === '' ? '' : `<dt>App's website</dt><dd>${home}</dd>`}
<dt>Client ID</dt><dd class="break mono">${escapeHtml(o.client.clientId)}</dd>
</dl>
<form method="post" action="${escapeHtml(o.action)}" class="form">
${csrfField(o.csrfToken)}
${
  o.offerRemember === false
    ? ''
    : `<div class="check">
<input type="checkbox" id="remember" name="remember" value="on"${o.rememberDefault === true ? ' checked' : ''}>
<label for="remember">Remember this decision for this app</label>
</div>`
}
<div class="actions">
<button type="submit" name="decision" value="deny" class="button button-secondary">Deny</button>
<button type="submit" name="decision" value="allow" class="button button-primary">Allow</button>
</div>
</form>
<p class="muted small">You can revoke access at any time from your account page.</p>`
  return renderDocument({ title: `Allow ${o.client.host}?`, body })
}
