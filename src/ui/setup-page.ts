import { escapeHtml } from './escape.js'
import { PRODUCT_NAME, csrfField, messageBox, renderDocument } from './layout.js'

export interface SetupPageOptions {
  /** Where the form posts (the setup link's own URL). */
  action: string
  csrfToken: string
  /** Shown in an alert box (e.g. the password policy's sentence). */
  error?: string
  /** Prefills after a refused attempt (never the password). */
  username?: string
  displayName?: string
  /** The password policy's minimum, for the hint and `minlength` (default 12). */
  minPasswordChars?: number
}

/**
 * First-account creation. Posts `csrf`, `username`, `display_name` (may be empty), `password`
 * and `password_confirm`; the server checks that the two passwords match.
 */
export function renderSetupPage(o: SetupPageOptions): string {
  const wanted = o.minPasswordChars ?? 12
  const min = Number.isInteger(wanted) && wanted > 0 ? wanted : 12
  const value = (v: string | undefined) => (v === undefined ? '' : ` value="${escapeHtml(v)}"`)
  const body = `<h1>Create your account</h1>
<p class="lead">This ${PRODUCT_NAME} server has no account yet. The account you create now is the one apps will ask to use.</p>
${messageBox('error', o.error)}
<form method="post" action="${escapeHtml(o.action)}" class="form">
${csrfField(o.csrfToken)}
<div class="field">
<label for="username">Username</label>
<input id="username" name="username" type="text" autocomplete="username" autocapitalize="none" spellcheck="false" required maxlength="256"${value(o.username)}>
</div>
<div class="field">
<label for="display_name">Display name <span class="optional">(optional)</span></label>
<input id="display_name" name="display_name" type="text" autocomplete="name" maxlength="256"${value(o.displayName)}>
</div>
<div class="field">
<label for="password">Password</label>
<input id="password" name="password" type="password" autocomplete="new-password" required minlength="${min}" maxlength="1024" aria-describedby="password-hint">
<p class="hint" id="password-hint">At least ${min} characters. A few unrelated words make a good password.</p>
</div>
<div class="field">
<label for="password_confirm">Repeat the password</label>
<input id="password_confirm" name="password_confirm" type="password" autocomplete="new-password" required minlength="${min}" maxlength="1024">
</div>
<div class="actions">
<button type="submit" class="button button-primary button-wide">Create account</button>
</div>
</form>`
  return renderDocument({ title: 'Create your account', body })
}
