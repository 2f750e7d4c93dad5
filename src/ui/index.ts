/**
 * Server-rendered pages of the built-in authorization server: sign-in, consent, first-account
 * setup, the account page (connected apps), error and message pages. Pure functions from values
 * to complete HTML documents; no script, one same-origin stylesheet, strict CSP headers.
 */
export { escapeHtml } from './escape.js'
/** Scope names in plain words for the consent and account pages. */
export { SCOPE_DESCRIPTIONS, describeScopes } from './scopes.js'
export type { ScopeText } from './scopes.js'
/** How the pages show an OAuth client (host first; names as claims unless pre-registered). */
export type { ClientView } from './client-view.js'
/** The sign-in pages: for an authorization request, and for the account area. */
export { renderAccountLoginPage, renderLoginPage } from './login-page.js'
export type { LoginPageOptions } from './login-page.js'
/** The consent page; posts `csrf`, `decision=allow|deny` and `remember=on`. */
export { renderConsentPage } from './consent-page.js'
export type { ConsentPageOptions } from './consent-page.js'
/** First-account creation; posts `csrf`, `username`, `display_name`, `password`, `password_confirm`. */
export { renderSetupPage } from './setup-page.js'
export type { SetupPageOptions } from './setup-page.js'
/** Connected apps with revoke buttons (`csrf`, `grant`) and sign out (`csrf`). */
export { renderAccountPage } from './account-page.js'
export type { AccountPageOptions, ConnectedApp } from './account-page.js'
/** Error pages that must not redirect, and short message pages. */
export { renderErrorPage, renderMessagePage } from './message-pages.js'
export type { ErrorPageOptions, MessagePageOptions } from './message-pages.js'
/** The stylesheet and the headers for pages and stylesheet (CSP: no script, form-action list). */
export { UI_STYLESHEET } from './stylesheet.js'
export { UI_STYLESHEET_PATH, uiSecurityHeaders, uiStylesheetHeaders } from './headers.js'
