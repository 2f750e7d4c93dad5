import {
  describeScopes,
  renderAccountLoginPage,
  renderAccountPage,
  renderConsentPage,
  renderErrorPage,
  renderLoginPage,
  renderMessagePage,
  renderSetupPage,
  type ClientView,
} from '../../src/ui/index.js'
import { HOSTILE, exampleClient } from '../../src/ui/test-support.js'
import type { ServedPage } from './page-server.js'

export const CSRF = 'csrf-token-for-the-browser-test'

const cliClient: ClientView = {
  name: 'Notes Terminal',
  host: 'cli.notes.example',
  clientId: 'https://cli.notes.example/oauth/client-metadata.json',
  kind: 'metadata-document',
}

/** A registered client with markup in every field and very long unbroken words. */
const hostileClient: ClientView = {
  name: `${HOSTILE} ${'W'.repeat(80)}`,
  host: `a-very-long-subdomain-that-keeps-going-and-going.${'x'.repeat(40)}.example`,
  uri: 'javascript:alert(1)',
  logoUri: 'http://insecure.example/logo.png',
  clientId: `${'c'.repeat(90)}"><script>alert(1)</script>`,
  kind: 'registered',
}

const ALL = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write', 'offline_access']
const DAY = 24 * 60 * 60 * 1000
const NOW = Date.UTC(2025, 4, 14, 9, 30)

const consent = (action: string, over: Partial<Parameters<typeof renderConsentPage>[0]> = {}) =>
  renderConsentPage({
    action,
    csrfToken: CSRF,
    client: exampleClient,
    redirectHost: 'notes.example',
    allRedirectsLoopback: false,
    scopes: describeScopes(ALL),
    resource: 'https://pa.example/mcp',
    accountName: 'alice',
    ...over,
  })

/** Every page under test, by the name the page server serves it at (`/page/<name>`). */
export function uiPages(clientOrigin: string): Record<string, ServedPage> {
  return {
    login: { html: renderLoginPage({ action: '/login', csrfToken: CSRF, client: exampleClient }) },
    'login-error': {
      html: renderLoginPage({
        action: '/login',
        csrfToken: CSRF,
        username: 'alice',
        error: 'Wrong username or password.',
      }),
    },
    'account-login': {
      html: renderAccountLoginPage({
        action: '/account/login',
        csrfToken: CSRF,
        notice: 'You are signed out.',
      }),
    },
    consent: { html: consent('/consent'), formActionOrigins: [clientOrigin] },
    'consent-loopback': {
      html: consent('/consent-loopback', {
        client: cliClient,
        redirectHost: '127.0.0.1',
        allRedirectsLoopback: true,
        scopes: describeScopes(['memories:read', 'tasks:read', 'offline_access']),
        rememberDefault: true,
      }),
      formActionOrigins: ['http://127.0.0.1:49152/callback'],
    },
    'consent-hostile': {
      html: consent('/consent-hostile', {
        client: hostileClient,
        redirectHost: hostileClient.host,
        scopes: describeScopes([...ALL, HOSTILE, `custom:${'s'.repeat(70)}`]),
        resource: `https://pa.example/${'r'.repeat(90)}`,
        accountName: `${HOSTILE}${'n'.repeat(60)}`,
      }),
    },
    // The same consent page without the client's origin in form-action (see the redirect test).
    'consent-blocked': { html: consent('/consent-blocked') },
    setup: {
      html: renderSetupPage({
        action: '/setup/token',
        csrfToken: CSRF,
        username: 'alice',
        error:
          'The password is too short: use at least 12 characters (a few words make a good one).',
      }),
    },
    account: {
      html: renderAccountPage({
        csrfToken: CSRF,
        accountName: 'alice',
        notice: 'Access for old.example was revoked.',
        revokeAction: '/account/revoke',
        logoutAction: '/account/logout',
        apps: [
          {
            grantRef: 'grant-1',
            client: exampleClient,
            scopes: describeScopes(ALL),
            grantedAt: NOW - 3 * DAY,
          },
          {
            grantRef: 'grant-2',
            client: cliClient,
            scopes: describeScopes(['memories:read']),
            grantedAt: NOW - DAY,
            expiresAt: NOW + 13 * DAY,
          },
          {
            grantRef: 'grant-3',
            client: hostileClient,
            scopes: describeScopes([HOSTILE]),
            grantedAt: NOW,
          },
        ],
      }),
    },
    'account-empty': {
      html: renderAccountPage({
        csrfToken: CSRF,
        accountName: 'alice',
        apps: [],
        revokeAction: '/account/revoke',
        logoutAction: '/account/logout',
      }),
    },
    error: {
      html: renderErrorPage({
        status: 400,
        title: 'This app is not known here',
        message:
          'The sign-in request names an app this server does not know, so it cannot send you back to it.',
        detail: `invalid_client: client_id ${HOSTILE} was not found`,
      }),
    },
    message: {
      html: renderMessagePage({
        title: 'You are signed out',
        message: 'Apps you connected keep their access until you revoke it.',
        link: { href: '/account', text: 'Sign in again' },
      }),
    },
  }
}
