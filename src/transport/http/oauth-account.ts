import type { Context, Hono } from 'hono'
import type { AuditSink } from '../../audit/index.js'
import {
  completeSetup,
  consentMemory,
  setupTokenUsable,
  type BuiltinAuthorizationServer,
} from '../../auth/server/index.js'
import { constantTimeEqual, tokenFingerprint } from '../../auth/protocol/index.js'
import type { AccountStore, ArtifactStore, StoredArtifact } from '../../storage/ports.js'
import {
  describeScopes,
  renderAccountLoginPage,
  renderAccountPage,
  renderErrorPage,
  renderMessagePage,
  renderSetupPage,
  type ConnectedApp,
} from '../../ui/index.js'
import { limited, type NodeBindings } from './oauth-edge.js'
import { clientView, page } from './oauth-interactions.js'
import type { HttpMetrics, RateLimiting } from './options.js'
import {
  cookieName,
  csrfToken,
  csrfValid,
  loginRefusalMessage,
  signIn,
  newSession,
  openSession,
  readCookie,
  sameOriginPost,
  sealSession,
  setCookie,
  type AccountSession,
} from './page-security.js'

export interface AccountRoutesOptions {
  server: BuiltinAuthorizationServer
  issuer: URL
  accounts: AccountStore
  artifacts: ArtifactStore
  clientIp: (c: Context) => string
  rateLimits?: RateLimiting | undefined
  metrics?: HttpMetrics | undefined
  audit: AuditSink
}

/** The account pages sign out after this long without use. */
const ACCOUNT_IDLE_SECONDS = 30 * 60
/** The pre-login CSRF cookie's lifetime. */
const LOGIN_CSRF_SECONDS = 10 * 60

type C = Context<{ Bindings: NodeBindings }>

/**
 * The account page (`/account`: connected apps, each with "revoke") and the one-time first-account
 * setup link (`/setup/<token>`), both under the issuer's path when it has one (`/tenant/account`
 * for the issuer `https://host/tenant`), like the interaction pages. Account sessions are our own
 * signed cookie (`__Host-` on https), separate from the engine's login session, idle after 30
 * minutes. Cookies keep `Path=/`, which the `__Host-` prefix requires; the pages' CSRF purposes
 * and same-origin checks do not depend on the path.
 */
export function mountAccountPages(
  app: Hono<{ Bindings: NodeBindings }>,
  options: AccountRoutesOptions,
): void {
  const { server, issuer, audit, artifacts, accounts } = options
  const prefix = issuer.pathname.replace(/\/+$/, '')
  const accountPath = `${prefix}/account`
  const key = server.pageKey
  const secure = issuer.protocol === 'https:'
  const sessionCookie = cookieName('mcp-pa-account', secure)
  const loginCookie = cookieName('mcp-pa-login', secure)
  const consents = consentMemory(artifacts)

  const session = (c: C): AccountSession | undefined =>
    openSession(key, readCookie(c.req.header('cookie'), sessionCookie), Date.now())
  const forbidden = () =>
    page(
      renderErrorPage({
        status: 403,
        title: 'This request was refused',
        message: 'The form did not come from this page. Reload the page and try again.',
      }),
      403,
    )

  const loginPage = (c: C, error?: string, status = 200) => {
    const nonce = readCookie(c.req.header('cookie'), loginCookie) ?? crypto.randomUUID()
    const html = renderAccountLoginPage({
      action: `${accountPath}/login`,
      csrfToken: csrfToken(key, `account-login:${nonce}`),
      ...(error === undefined ? {} : { error }),
    })
    return page(html, status, [], {
      'Set-Cookie': setCookie(loginCookie, nonce, LOGIN_CSRF_SECONDS, secure),
    })
  }

  const connectedApps = async (accountId: string): Promise<ConnectedApp[]> => {
    const grants: StoredArtifact[] = await artifacts.list('Grant', { accountId, limit: 200 })
    const apps: ConnectedApp[] = []
    for (const grant of grants) {
      const payload = grant.payload
      const clientId = String(payload.clientId ?? '')
      const client = await server
        .engine()
        .Client.find(clientId)
        .catch(() => undefined)
      const resources = (payload.resources ?? {}) as Record<string, string>
      const scopes = Object.values(resources)
        .flatMap((value) => String(value).split(' '))
        .filter(Boolean)
      apps.push({
        grantRef: String(payload.jti ?? ''),
        client: clientView(client, clientId),
        scopes: describeScopes([...new Set(scopes)]),
        grantedAt: typeof payload.iat === 'number' ? payload.iat * 1000 : Date.now(),
        ...(grant.expiresAt === undefined ? {} : { expiresAt: grant.expiresAt }),
      })
    }
    return apps
  }

  const accountPage = async (current: AccountSession, notice?: string) => {
    const account = await accounts.get(current.accountId)
    const renewed = { ...current, expiresAt: Date.now() + ACCOUNT_IDLE_SECONDS * 1000 }
    const html = renderAccountPage({
      csrfToken: csrfToken(key, `account:${current.id}`),
      accountName: account?.displayName ?? account?.username ?? '',
      apps: await connectedApps(current.accountId),
      revokeAction: `${accountPath}/revoke`,
      logoutAction: `${accountPath}/logout`,
      ...(notice === undefined ? {} : { notice }),
    })
    return page(html, 200, [], {
      'Set-Cookie': setCookie(
        sessionCookie,
        sealSession(key, renewed),
        ACCOUNT_IDLE_SECONDS,
        secure,
      ),
    })
  }

  app.get(accountPath, async (c) => {
    const current = session(c)
    if (current === undefined) return loginPage(c)
    const account = await accounts.get(current.accountId)
    if (account === undefined || account.disabled) return loginPage(c)
    return accountPage(current, c.req.query('notice') === 'revoked' ? 'Access revoked.' : undefined)
  })

  app.post(`${accountPath}/login`, async (c) => {
    if (!sameOriginPost(c.req.raw.headers, issuer.origin)) return forbidden()
    const form = await c.req.parseBody()
    const nonce = readCookie(c.req.header('cookie'), loginCookie)
    if (nonce === undefined || !csrfValid(key, `account-login:${nonce}`, form.csrf))
      return forbidden()
    const ip = options.clientIp(c)
    const refused = await limited(options, 'oauth', ip, `${accountPath}/login`)
    if (refused !== undefined) {
      audit.emit({ type: 'as.login_failed', reason: 'rate_limited', ip })
      return loginPage(
        c,
        'Too many sign-in attempts from this network. Wait a minute and try again.',
        429,
      )
    }
    const result = await signIn(accounts, form, ip, audit)
    if (!result.ok) {
      const message = loginRefusalMessage(result)
      return loginPage(c, message, result.reason === 'locked' ? 429 : 401)
    }
    const fresh = newSession(result.account.id, ACCOUNT_IDLE_SECONDS, Date.now())
    const headers = new Headers({ Location: accountPath, 'Cache-Control': 'no-store' })
    headers.append(
      'Set-Cookie',
      setCookie(sessionCookie, sealSession(key, fresh), ACCOUNT_IDLE_SECONDS, secure),
    )
    headers.append('Set-Cookie', setCookie(loginCookie, '', 0, secure))
    return new Response(null, { status: 303, headers })
  })

  app.post(`${accountPath}/revoke`, async (c) => {
    if (!sameOriginPost(c.req.raw.headers, issuer.origin)) return forbidden()
    const current = session(c)
    if (current === undefined) return loginPage(c, 'Your session ended. Sign in again.', 401)
    const form = await c.req.parseBody()
    if (!csrfValid(key, `account:${current.id}`, form.csrf)) return forbidden()
    const grantId = typeof form.grant === 'string' ? form.grant : ''
    const grant = grantId === '' ? undefined : await artifacts.find('Grant', grantId)
    if (grant === undefined || grant.payload.accountId !== current.accountId) {
      return accountPage(current, 'That app was already disconnected.')
    }
    const clientId = String(grant.payload.clientId ?? '')
    await artifacts.revokeByGrantId(grantId)
    await artifacts.destroy('Grant', grantId)
    await consents.forget(current.accountId, clientId)
    audit.emit({
      type: 'as.token_revoked',
      clientId,
      kind: 'grant',
      fingerprint: tokenFingerprint(grantId),
      by: 'user',
    })
    return c.redirect(`${accountPath}?notice=revoked`, 303)
  })

  app.post(`${accountPath}/logout`, async (c) => {
    if (!sameOriginPost(c.req.raw.headers, issuer.origin)) return forbidden()
    const current = session(c)
    const form = await c.req.parseBody()
    if (current !== undefined && !csrfValid(key, `account:${current.id}`, form.csrf))
      return forbidden()
    return page(
      renderMessagePage({
        title: 'Signed out',
        message: 'You have signed out of your account page.',
        link: { href: accountPath, text: 'Sign in again' },
      }),
      200,
      [],
      { 'Set-Cookie': setCookie(sessionCookie, '', 0, secure) },
    )
  })

  const setupGone = () =>
    page(
      renderErrorPage({
        status: 410,
        title: 'This setup link no longer works',
        message:
          'It was already used, it expired (links last 24 hours), or an account exists. Restart the server for a new link, or ask its administrator (mcp-pa users add).',
      }),
      410,
    )

  app.get(`${prefix}/setup/:token`, async (c) => {
    const token = c.req.param('token')
    if (!(await setupTokenUsable(accounts, artifacts, token))) return setupGone()
    return page(
      renderSetupPage({
        action: `${prefix}/setup/${token}`,
        csrfToken: csrfToken(key, `setup:${token}`),
      }),
    )
  })

  app.post(`${prefix}/setup/:token`, async (c) => {
    if (!sameOriginPost(c.req.raw.headers, issuer.origin)) return forbidden()
    const token = c.req.param('token')
    const form = await c.req.parseBody()
    if (!csrfValid(key, `setup:${token}`, form.csrf)) return forbidden()
    const username = typeof form.username === 'string' ? form.username : ''
    const displayName = typeof form.display_name === 'string' ? form.display_name.trim() : ''
    const password = typeof form.password === 'string' ? form.password : ''
    const again = (error: string) =>
      page(
        renderSetupPage({
          action: `${prefix}/setup/${token}`,
          csrfToken: csrfToken(key, `setup:${token}`),
          error,
          username,
          ...(displayName === '' ? {} : { displayName }),
        }),
        400,
      )
    const confirmation = typeof form.password_confirm === 'string' ? form.password_confirm : ''
    if (!constantTimeEqual(password, confirmation))
      return again('The two passwords are different. Type the same password twice.')
    const result = await completeSetup(accounts, artifacts, token, {
      username,
      password,
      ...(displayName === '' ? {} : { displayName }),
    })
    if (!result.ok) {
      if (result.reason === 'weak_password' || result.reason === 'invalid_username') {
        return again(result.message ?? 'Check the username and password.')
      }
      return setupGone()
    }
    audit.emit({ type: 'as.account_changed', accountId: result.account.id, change: 'created' })
    return page(
      renderMessagePage({
        title: 'Your account is ready',
        message: `Signed up as ${result.account.username}. Connect an MCP client to this server and sign in when it asks.`,
        link: { href: accountPath, text: 'Open your account page' },
      }),
    )
  })
}
