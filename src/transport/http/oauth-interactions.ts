import type { Context, Hono } from 'hono'
import type { AuditSink } from '../../audit/index.js'
import {
  consentMemory,
  isLoopbackRedirect,
  type BuiltinAuthorizationServer,
  type EngineClient,
  type InteractionDetails,
} from '../../auth/server/index.js'
import type { AccountStore, ArtifactStore } from '../../storage/ports.js'
import {
  describeScopes,
  renderConsentPage,
  renderErrorPage,
  renderLoginPage,
  uiSecurityHeaders,
  type ClientView,
} from '../../ui/index.js'
import { limited, type NodeBindings } from './oauth-edge.js'
import type { HttpMetrics, RateLimiting } from './options.js'
import {
  csrfToken,
  csrfValid,
  loginRefusalMessage,
  sameOriginPost,
  signIn,
} from './page-security.js'

export interface InteractionRoutesOptions {
  server: BuiltinAuthorizationServer
  issuer: URL
  accounts: AccountStore
  artifacts: ArtifactStore
  consentRememberDays: number
  clientIp: (c: Context) => string
  rateLimits?: RateLimiting | undefined
  metrics?: HttpMetrics | undefined
  audit: AuditSink
}

type C = Context<{ Bindings: NodeBindings }>

/** An HTML page with the pages' security headers (strict CSP, no framing, no caching). */
export function page(
  html: string,
  status = 200,
  formActionOrigins: string[] = [],
  extra: Record<string, string> = {},
): Response {
  return new Response(html, {
    status,
    headers: { ...uiSecurityHeaders({ formActionOrigins }), ...extra },
  })
}

const hostOf = (uri: string | undefined): string => {
  const url = uri === undefined ? null : URL.parse(uri)
  return url?.host ?? ''
}

/** How the pages show a client: a metadata document's host first, a registered one's redirect host. */
export function clientView(
  client: EngineClient | undefined,
  clientId: string,
  redirectUri?: string,
): ClientView {
  const metadata = client?.metadata() ?? {}
  const isDocument = client?.clientIdMetadataDocument === true
  const kind: ClientView['kind'] = isDocument
    ? 'metadata-document'
    : metadata.mcp_pa_origin === 'admin'
      ? 'pre-registered'
      : 'registered'
  const host = isDocument ? hostOf(clientId) : hostOf(redirectUri ?? client?.redirectUris[0])
  return {
    name: typeof metadata.client_name === 'string' ? metadata.client_name : '',
    host: host === '' ? clientId : host,
    clientId,
    kind,
    ...(typeof metadata.client_uri === 'string' ? { uri: metadata.client_uri } : {}),
    ...(typeof metadata.logo_uri === 'string' ? { logoUri: metadata.logo_uri } : {}),
  }
}

const requestedScopes = (details: InteractionDetails): string[] =>
  String(details.params.scope ?? '')
    .split(' ')
    .filter((scope) => scope !== '' && scope !== 'openid')

/**
 * The login and consent pages of an authorization request (`/oauth/interaction/:uid`), driven by
 * the engine's interaction API. Every POST needs a same-origin request and the interaction's CSRF
 * token; a refused one gets an error page and never a redirect.
 */
export function mountInteractions(
  app: Hono<{ Bindings: NodeBindings }>,
  options: InteractionRoutesOptions,
): void {
  const { server, issuer, audit } = options
  const prefix = issuer.pathname.replace(/\/+$/, '')
  const base = `${prefix}/oauth/interaction/:uid`
  const consents = consentMemory(options.artifacts)
  const key = server.pageKey
  const purpose = (uid: string) => `interaction:${uid}`

  const details = async (c: C): Promise<InteractionDetails | undefined> => {
    try {
      const found = await server.engine().interactionDetails(c.env.incoming, c.env.outgoing)
      return found.uid === c.req.param('uid') ? found : undefined
    } catch {
      return undefined
    }
  }
  const expired = () =>
    page(
      renderErrorPage({
        status: 400,
        title: 'This sign-in has expired',
        message: 'Go back to the app you were connecting and start again.',
      }),
      400,
    )
  const forbidden = () =>
    page(
      renderErrorPage({
        status: 403,
        title: 'This request was refused',
        message: 'The form did not come from this page. Go back to the app and start again.',
      }),
      403,
    )

  const clientOf = async (found: InteractionDetails) => {
    const clientId = String(found.params.client_id ?? '')
    const client = await server
      .engine()
      .Client.find(clientId)
      .catch(() => undefined)
    return {
      clientId,
      client,
      view: clientView(client, clientId, String(found.params.redirect_uri ?? '')),
    }
  }

  const loginPage = async (
    found: InteractionDetails,
    error?: string,
    status = 200,
    username?: string,
  ) => {
    const { view } = await clientOf(found)
    const html = renderLoginPage({
      action: `${prefix}/oauth/interaction/${found.uid}/login`,
      csrfToken: csrfToken(key, purpose(found.uid)),
      client: view,
      ...(error === undefined ? {} : { error }),
      ...(username === undefined ? {} : { username }),
    })
    return page(html, status)
  }

  const consentPage = async (found: InteractionDetails) => {
    const { client, view } = await clientOf(found)
    const accountId = found.session?.accountId ?? ''
    const account = await options.accounts.get(accountId)
    const redirectUri = String(found.params.redirect_uri ?? '')
    const redirectOrigin = URL.parse(redirectUri)?.origin
    const html = renderConsentPage({
      action: `${prefix}/oauth/interaction/${found.uid}/confirm`,
      csrfToken: csrfToken(key, purpose(found.uid)),
      client: view,
      redirectHost: hostOf(redirectUri),
      allRedirectsLoopback: (client?.redirectUris ?? [redirectUri]).every(isLoopbackRedirect),
      scopes: describeScopes(requestedScopes(found)),
      ...(typeof found.params.resource === 'string' ? { resource: found.params.resource } : {}),
      accountName: account?.displayName ?? account?.username ?? 'your account',
      rememberDefault: options.consentRememberDays > 0,
      // Native (loopback) apps are asked every time (ADR 0008): nothing to remember.
      offerRemember: options.consentRememberDays > 0 && client?.applicationType !== 'native',
    })
    return page(
      html,
      200,
      redirectOrigin === undefined || redirectOrigin === 'null' ? [] : [redirectOrigin],
    )
  }

  app.get(base, async (c) => {
    const found = await details(c)
    if (found === undefined) return expired()
    if (found.prompt.name === 'login') return loginPage(found)
    if (found.prompt.name === 'consent') return consentPage(found)
    return expired()
  })

  app.post(`${base}/login`, async (c) => {
    if (!sameOriginPost(c.req.raw.headers, issuer.origin)) return forbidden()
    const found = await details(c)
    if (found === undefined) return expired()
    const form = await c.req.parseBody()
    if (!csrfValid(key, purpose(found.uid), form.csrf)) return forbidden()
    const ip = options.clientIp(c)
    const refused = await limited(options, 'oauth', ip, `${prefix}/oauth/interaction/login`)
    if (refused !== undefined) {
      audit.emit({ type: 'as.login_failed', reason: 'rate_limited', ip })
      return loginPage(
        found,
        'Too many sign-in attempts from this network. Wait a minute and try again.',
        429,
      )
    }
    const username = typeof form.username === 'string' ? form.username : ''
    const result = await signIn(options.accounts, form, ip, audit)
    if (!result.ok) {
      const message = loginRefusalMessage(result)
      return loginPage(found, message, result.reason === 'locked' ? 429 : 401, username)
    }
    const to = await server
      .engine()
      .interactionResult(
        c.env.incoming,
        c.env.outgoing,
        { login: { accountId: result.account.id, amr: ['pwd'] } },
        { mergeWithLastSubmission: false },
      )
    return c.redirect(to, 303)
  })

  app.post(`${base}/confirm`, async (c) => {
    if (!sameOriginPost(c.req.raw.headers, issuer.origin)) return forbidden()
    const found = await details(c)
    if (found === undefined || found.prompt.name !== 'consent') return expired()
    const form = await c.req.parseBody()
    if (!csrfValid(key, purpose(found.uid), form.csrf)) return forbidden()
    const accountId = found.session?.accountId
    if (accountId === undefined) return expired()
    const clientId = String(found.params.client_id ?? '')
    const engine = server.engine()
    let result: Record<string, unknown>
    if (form.decision !== 'allow') {
      audit.emit({ type: 'as.consent_denied', accountId, clientId })
      result = { error: 'access_denied', error_description: 'the user denied the request' }
    } else {
      const existing =
        found.grantId === undefined ? undefined : await engine.Grant.find(found.grantId)
      const grant = existing ?? new engine.Grant({ accountId, clientId })
      const missing = found.prompt.details
      if (missing.missingOIDCScope !== undefined)
        grant.addOIDCScope(missing.missingOIDCScope.join(' '))
      if (missing.missingOIDCClaims !== undefined) grant.addOIDCClaims(missing.missingOIDCClaims)
      for (const [resource, scopes] of Object.entries(missing.missingResourceScopes ?? {})) {
        grant.addResourceScope(resource, scopes.join(' '))
      }
      const grantId = await grant.save()
      const { client } = await clientOf(found)
      const remember = form.remember === 'on' && client?.applicationType !== 'native'
      if (remember)
        await consents.remember(accountId, clientId, grantId, options.consentRememberDays)
      else await consents.forget(accountId, clientId)
      audit.emit({
        type: 'as.consent_granted',
        accountId,
        clientId,
        scopes: requestedScopes(found),
        remembered: remember,
        ...(typeof found.params.resource === 'string' ? { resource: found.params.resource } : {}),
      })
      result = { consent: { grantId } }
    }
    const to = await engine.interactionResult(c.env.incoming, c.env.outgoing, result, {
      mergeWithLastSubmission: true,
    })
    return c.redirect(to, 303)
  })
}
