import { renderAccountPage } from './account-page.js'
import type { ClientView } from './client-view.js'
import { renderConsentPage } from './consent-page.js'
import { renderAccountLoginPage, renderLoginPage } from './login-page.js'
import { renderErrorPage, renderMessagePage } from './message-pages.js'
import { describeScopes } from './scopes.js'
import { renderSetupPage } from './setup-page.js'

/** A client whose every field tries to break out of the markup. */
export const HOSTILE = `<script>alert("x")</script>' onmouseover="alert(1)`

export const hostileClient: ClientView = {
  name: HOSTILE,
  host: `evil.example"><img src=x>`,
  uri: 'javascript:alert(1)',
  logoUri: 'javascript:alert(1)',
  clientId: `https://evil.example/client"><script>`,
  kind: 'registered',
}

export const exampleClient: ClientView = {
  name: 'Notes Desktop',
  host: 'notes.example',
  uri: 'https://notes.example/',
  logoUri: 'https://notes.example/logo.png',
  clientId: 'https://notes.example/oauth/client.json',
  kind: 'metadata-document',
}

export const ALL_SCOPES = [
  'memories:read',
  'memories:write',
  'tasks:read',
  'tasks:write',
  'offline_access',
]

/** Every page, rendered with `client` and hostile free text wherever the page accepts it. */
export function allPages(client: ClientView = hostileClient): Array<[string, string]> {
  const scopes = describeScopes([...ALL_SCOPES, HOSTILE])
  return [
    [
      'login',
      renderLoginPage({
        action: '/login',
        csrfToken: 'csrf-1',
        username: HOSTILE,
        error: HOSTILE,
        notice: HOSTILE,
        client,
      }),
    ],
    [
      'account login',
      renderAccountLoginPage({ action: '/account/login', csrfToken: 'csrf-1', error: HOSTILE }),
    ],
    [
      'consent',
      renderConsentPage({
        action: '/interaction/abc/confirm',
        csrfToken: 'csrf-1',
        client,
        redirectHost: HOSTILE,
        allRedirectsLoopback: true,
        scopes,
        resource: HOSTILE,
        accountName: HOSTILE,
      }),
    ],
    [
      'setup',
      renderSetupPage({
        action: '/setup/token',
        csrfToken: 'csrf-1',
        error: HOSTILE,
        username: HOSTILE,
        displayName: HOSTILE,
      }),
    ],
    [
      'account',
      renderAccountPage({
        csrfToken: 'csrf-1',
        accountName: HOSTILE,
        apps: [{ grantRef: HOSTILE, client, scopes, grantedAt: 1_700_000_000_000 }],
        revokeAction: '/account/revoke',
        logoutAction: '/account/logout',
        notice: HOSTILE,
      }),
    ],
    ['error', renderErrorPage({ status: 400, title: HOSTILE, message: HOSTILE, detail: HOSTILE })],
    [
      'message',
      renderMessagePage({
        title: HOSTILE,
        message: HOSTILE,
        link: { href: '/account', text: HOSTILE },
      }),
    ],
  ]
}
