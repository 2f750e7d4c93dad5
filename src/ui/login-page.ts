import { clientIdentity, type ClientView } from './client-view.js'
import { escapeHtml } from './escape.js'
import { PRODUCT_NAME, csrfField, messageBox, renderDocument } from './layout.js'

export interface LoginPageOptions {
  /** Where the form posts. */
  action: string
  csrfToken: string
  /** Prefills the username after a failed attempt. */
  username?: string
  /** Shown in an alert box (e.g. "Wrong username or password."). */
  error?: string
  /** The app the sign-in is for, when there is one. */
  client?: ClientView
  /** Shown in a status box (e.g. "You are signed out."). */
  notice?: string
}

/** The username and password form shared by both sign-in pages. Posts `csrf`, `username`, `password`. */
function loginForm(o: LoginPageOptions): string {
  const username = o.username === undefined ? '' : ` value="${escapeHtml(o.username)}"`
  return `<form method="post" action="${escapeHtml(o.action)}" class="form">
${csrfField(o.csrfToken)}
<div class="field">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256"${username}${o.username === undefined ? ' autofocus' : ''}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="current-password" required maxlength="1024"${o.username === undefined ? '' : ' autofocus'}>
</div>
<div class="actions">
<button type="submit" class="button button-primary button-wide">Sign in</button>
</div>
</form>`
}

/** The sign-in page of an authorization request; names the app it continues to. */
export function renderLoginPage(o: LoginPageOptions): string {
  const intro =
    o.client === undefined
      ? `<h1>Sign in</h1>\n<p class="lead">Use your ${PRODUCT_NAME} account.</p>`
      : `<h1>Sign in to continue</h1>
<p class="muted">An app is asking for access to your ${PRODUCT_NAME} account:</p>
${clientIdentity(o.client, 'h2')}
<p class="muted">You will see what it asks for and can refuse after you sign in.</p>`
  const body = `${intro}
${messageBox('notice', o.notice)}
${messageBox('error', o.error)}
${loginForm(o)}`
  return renderDocument({ title: 'Sign in', body })
}

/** The sign-in page of the account area (manage connected apps); same form, no client. */
export function renderAccountLoginPage(o: Omit<LoginPageOptions, 'client'>): string {
  const body = `<h1>Sign in</h1>
<p class="lead">Sign in to see and manage the apps connected to your ${PRODUCT_NAME} account.</p>
${messageBox('notice', o.notice)}
${messageBox('error', o.error)}
${loginForm(o)}`
  return renderDocument({ title: 'Sign in to your account', body })
}
