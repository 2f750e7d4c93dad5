/**
 * One login, from discovery to stored tokens (issue 5, item 4), in ordered steps:
 * 1. start the loopback listener (on the port a stored DCR or pre-registered client last used,
 *    when free: an AS that ignores RFC 8252's any-port rule still matches);
 * 2. choose the client (registration.ts: pre-registered → CIMD → DCR → error);
 * 3. choose the scopes (SCOPE-1, or the caller's step-up union; `offline_access` only when the
 *    AS lists it, RT-4) and build the request (PKCE S256, state, resource; issuer recorded); a
 *    2025-03-26 server's default endpoints (no metadata) get a printed warning: PKCE unconfirmed;
 * 4. hand the URL over: a browser (no shell), a printed line, or headless redirects; before a
 *    browser or a printed line, one pre-flight GET of the URL (authorize-preflight.ts) stops a
 *    request the server refuses outright (unknown client or redirect URI: an error page, never
 *    a redirect back) instead of waiting for the callback until the timeout;
 * 5. wait for the callback (the person is told how long, and that Ctrl-C cancels); `state`, `iss`, `error` and `code` are checked before the code is
 *    sent anywhere (STATE-1, ISS-3);
 * 6. exchange the code (PKCE verifier, redirect URI, resource) and store the tokens under
 *    (issuer, resource) (TOK-6, TOK-7).
 * The listener is closed whatever happens. Nothing here logs; `print` gets the URL and notes.
 */
import { createAuthorizationRequest, readAuthorizationResponse } from './authorize.js'
import { preflightAuthorization } from './authorize-preflight.js'
import { followAuthorizationRedirects } from './browser-headless.js'
import { defaultEndpointsWarning } from './legacy-discovery.js'
import { openBrowser } from './browser.js'
import type { DiscoveryResult } from './discovery.js'
import { scopeToRequest } from './discovery.js'
import { startLoopbackRedirect } from './loopback-redirect.js'
import { chooseClient } from './registration.js'
import type { ChosenClient, PreRegisteredClient } from './registration.js'
import type { StoreKey, StoredCredentials, TokenStore } from './store/index.js'
import { exchangeAuthorizationCode } from './tokens.js'
import { clientFetchPolicy } from './url-policy.js'
import type { ClientFetchOptions, ClientFetchPolicy } from './url-policy.js'

/** How the authorization URL reaches the authorization server. */
export type LoginMode = 'browser' | 'print' | 'headless'

export interface LoginOptions {
  /** What discovery found for the server (resource, resource metadata, AS, challenged scopes). */
  discovery: Pick<
    DiscoveryResult,
    'resource' | 'resourceMetadata' | 'authorizationServer' | 'challengedScopes'
  >
  store: TokenStore
  /** The policy of every request (built with the MCP server's host trusted). */
  policy: ClientFetchPolicy
  mode: LoginMode
  /** Where the URL and notes go (stderr in the CLI). */
  print: (line: string) => void
  /** The scopes to request instead of SCOPE-1's choice (a step-up union). */
  scopes?: readonly string[]
  /** Add `offline_access` when the AS lists it in `scopes_supported` (default true, RT-4). */
  offlineAccess?: boolean
  preRegistered?: PreRegisteredClient
  /** The client ID metadata document URL; `false` turns CIMD off. */
  clientMetadataUrl?: string | false
  /** Listen on exactly this port (a pre-registered redirect URI with a port). */
  callbackPort?: number
  /** How long to wait for the callback (default 5 minutes; 30 s headless). */
  callbackTimeoutMs?: number
  /** Stored with the tokens (not secret). */
  account?: string
  /** Opens the URL in a browser (default: `openBrowser`, no shell). */
  openUrl?: (url: URL) => Promise<void>
  /** Seconds since the epoch (tests). */
  now?: () => number
}

export interface LoginResult {
  key: StoreKey
  credentials: StoredCredentials
  client: ChosenClient
  /** The scopes requested (undefined: `scope` was omitted). */
  scopes: string[] | undefined
}

/**
 * The request policy of a login: `options` with the MCP server's own host trusted for the
 * address checks, as discovery uses it (the user chose that host).
 */
export function policyForServer(serverUrl: string, options: ClientFetchOptions = {}) {
  const trustedHosts = [...(options.trustedHosts ?? []), new URL(serverUrl).hostname]
  return clientFetchPolicy({ ...options, trustedHosts })
}

/** SCOPE-1's choice (or the caller's), plus `offline_access` when the AS offers it (RT-4). */
export function scopesForLogin(
  options: Pick<LoginOptions, 'discovery' | 'scopes' | 'offlineAccess'>,
): string[] | undefined {
  const { discovery } = options
  const base =
    options.scopes !== undefined
      ? [...new Set(options.scopes)]
      : scopeToRequest(discovery.challengedScopes, discovery.resourceMetadata)
  if (base === undefined || base.length === 0) return undefined
  const offered = discovery.authorizationServer.metadata.scopes_supported ?? []
  const add = options.offlineAccess !== false && offered.includes('offline_access')
  return add && !base.includes('offline_access') ? [...base, 'offline_access'] : base
}

/** A wait for people: "5 minutes", "1 minute", "30 seconds". */
export function describeWait(ms: number): string {
  const seconds = Math.max(1, Math.round(ms / 1000))
  if (seconds % 60 !== 0) return `${seconds} second${seconds === 1 ? '' : 's'}`
  const minutes = seconds / 60
  return `${minutes} minute${minutes === 1 ? '' : 's'}`
}

/** Runs one login and stores its tokens. See the module comment for the steps. */
export async function login(options: LoginOptions): Promise<LoginResult> {
  const { discovery, store, policy } = options
  const authorizationServer = discovery.authorizationServer
  const { issuer } = authorizationServer
  const stored = await store.getClient(issuer)
  const storedPort =
    stored !== undefined &&
    stored.method !== 'client_id_metadata_document' &&
    URL.canParse(stored.redirect_uris[0] ?? '')
      ? Number(new URL(stored.redirect_uris[0] ?? '').port) || undefined
      : undefined
  const port = options.callbackPort ?? storedPort
  const listener = await startLoopbackRedirect({
    ...(port === undefined ? {} : { port }),
    strictPort: options.callbackPort !== undefined,
  })
  try {
    const client = await chooseClient({
      store,
      authorizationServer,
      redirectUri: listener.redirectUri,
      policy,
      ...(options.preRegistered === undefined ? {} : { preRegistered: options.preRegistered }),
      ...(options.clientMetadataUrl === undefined
        ? {}
        : { clientMetadataUrl: options.clientMetadataUrl }),
      ...(options.now === undefined ? {} : { now: options.now }),
    })
    const scopes = scopesForLogin(options)
    // No metadata (a 2025-03-26 server): S256 is sent, but nothing says it is honoured (PKCE-3).
    if (authorizationServer.legacy === 'default-endpoints') {
      options.print(defaultEndpointsWarning(issuer))
    }
    const pending = createAuthorizationRequest({
      authorizationServer,
      clientId: client.client_id,
      redirectUri: listener.redirectUri,
      resource: discovery.resource,
      scopes,
    })
    const timeoutMs = options.callbackTimeoutMs ?? (options.mode === 'headless' ? 30_000 : 300_000)
    const callback = listener.waitForCallback(
      pending.state,
      (params) => readAuthorizationResponse(params, pending),
      timeoutMs,
    )
    callback.catch(() => undefined) // observed below; never an unhandled rejection
    let code: string
    if (options.mode === 'headless') {
      const redirectUri = listener.redirectUri
      const driven = followAuthorizationRedirects(pending.url, { policy, redirectUri })
      code = await Promise.race([callback, driven.then(() => callback)])
    } else {
      await preflightAuthorization(pending, policy)
      options.print(
        options.mode === 'browser'
          ? `Opening a browser to log in to ${discovery.resource} at ${issuer}. If it does not open, visit:`
          : `To log in to ${discovery.resource} at ${issuer}, open this URL in a browser:`,
      )
      options.print(pending.url.href)
      if (options.mode === 'browser') {
        await (options.openUrl ?? ((url: URL) => openBrowser(url)))(pending.url).catch(
          (error: unknown) => options.print(`${(error as Error).message}.`),
        )
      }
      options.print(
        `Waiting up to ${describeWait(timeoutMs)} for the sign-in to finish in the browser (Ctrl-C cancels).`,
      )
      code = await callback
    }
    const credentials = await exchangeAuthorizationCode(
      {
        authorizationServer,
        client,
        resource: discovery.resource,
        policy,
        ...(options.now === undefined ? {} : { now: options.now }),
      },
      { code, verifier: pending.verifier, redirectUri: pending.redirectUri, scopes },
    )
    if (options.account !== undefined) credentials.account = options.account
    const key = { issuer, resource: discovery.resource }
    await store.put(key, credentials)
    return { key, credentials, client, scopes }
  } finally {
    await listener.close()
  }
}
