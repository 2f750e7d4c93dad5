/**
 * A `fetch` for one MCP server that carries the stored Bearer token (TOK-1) and keeps it usable:
 * - the token goes in the `Authorization` header of requests to the server's origin only, never
 *   in a URL, a message or a log line;
 * - it is refreshed ahead of expiry (getValidToken: cross-process single-flight);
 * - 401 without a token (or none stored): discovery from that challenge, then the stored
 *   credentials, else a login (mode ≠ `never`);
 * - 401 with a token (`invalid_token`): a refresh that skips the refused token, then a login
 *   when the refresh is impossible (`login_required`);
 * - 403 `insufficient_scope`: step-up with the union of scopes, at most `maxAuthorizations`
 *   authorizations per operation (STEP-1..3).
 * With `options.grant` a "login" is that non-interactive grant (client-credentials-grant.ts).
 * The request body is buffered so that it can be sent again. Logins are serialised: concurrent
 * requests that hit the same 401 wait for one login and then reuse its token.
 */
import {
  AuthorizationError,
  createStepUpTracker,
  discover,
  getValidToken,
  grantTypeOf,
  insufficientScope,
  login,
  obtainGrantToken,
  policyForServer,
} from '../../auth/client/index.js'
import type { DiscoveryResult } from '../../auth/client/index.js'
import type { StoreKey, StoredCredentials } from '../../auth/client/store/index.js'
import { constantTimeEqual } from '../../auth/protocol/index.js'
import { bufferRequest, operationOf } from './request-body.js'
import { checkedServer, resourceCovers } from './server-url.js'
import { ConnectionError } from './types.js'
import type { ConnectionOptions } from './types.js'

/** Refresh when less than this is left. */
const REFRESH_AHEAD_SECONDS = 60

const isLoginRequired = (error: unknown) =>
  error instanceof AuthorizationError && error.code === 'login_required'

export function authorizedFetch(options: ConnectionOptions): typeof fetch {
  const server = checkedServer(options)
  const origin = new URL(server).origin
  const policy = policyForServer(server, options.fetchOptions)
  const tracker = createStepUpTracker(options.maxAuthorizations ?? 3)
  const now = () => options.now?.() ?? Date.now() / 1000
  const loginHint = `run: mcp-pa login ${server}`

  let discovery: DiscoveryResult | undefined
  let key: StoreKey | undefined
  let credentials: StoredCredentials | undefined
  let requested: string[] | string | undefined
  let looked = false
  let chain: Promise<unknown> = Promise.resolve()

  /** Whether another request already obtained a token other than the one `sent`. */
  const replaced = (sent: string | undefined) =>
    credentials !== undefined &&
    (sent === undefined || !constantTimeEqual(credentials.access_token, sent))

  /** Runs `fn` after every earlier authorization step (one login at a time). */
  const serialised = <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn)
    chain = run.catch(() => undefined)
    return run
  }

  /** Once: credentials already stored for this server (a previous `mcp-pa login`). */
  async function lookUpStored() {
    if (looked) return
    looked = true
    const found = (await options.store.list())
      .filter((s) => resourceCovers(s.resource, server))
      .sort((a, b) => b.resource.length - a.resource.length || b.expires_at - a.expires_at)[0]
    if (found === undefined) return
    key = { issuer: found.issuer, resource: found.resource }
    credentials = await options.store.get(key)
    requested = credentials?.scope
  }

  async function ensureDiscovery(wwwAuthenticate?: string | null): Promise<DiscoveryResult> {
    if (discovery !== undefined) return discovery
    const grantType = grantTypeOf(options.grant)
    const found = await discover(server, {
      ...options.fetchOptions,
      ...(wwwAuthenticate ? { wwwAuthenticate } : {}),
      ...(grantType === undefined ? {} : { grantType }),
    })
    discovery = found
    const next = { issuer: found.authorizationServer.issuer, resource: found.resource }
    if (key?.issuer !== next.issuer || key.resource !== next.resource) credentials = undefined
    key = next
    return found
  }

  async function refreshed(found: DiscoveryResult, rejected?: string) {
    credentials = await getValidToken({
      store: options.store,
      authorizationServer: found.authorizationServer,
      resource: found.resource,
      policy,
      refreshAheadSeconds: REFRESH_AHEAD_SECONDS,
      ...(rejected === undefined ? {} : { rejectedAccessToken: rejected }),
      ...(options.now === undefined ? {} : { now: options.now }),
    })
  }

  async function logIn(found: DiscoveryResult, why: string, scopes?: string[]) {
    if (options.grant !== undefined) {
      const result = await obtainGrantToken({
        discovery: found,
        store: options.store,
        policy,
        grant: options.grant,
        ...(scopes === undefined ? {} : { scopes }),
        ...(options.now === undefined ? {} : { now: options.now }),
      })
      credentials = result.credentials
      requested = result.scopes
      return
    }
    if (options.mode === 'never') {
      throw new ConnectionError('login_required', `${why}; ${loginHint}`)
    }
    const result = await login({
      discovery: found,
      store: options.store,
      policy,
      mode: options.mode,
      print: options.print,
      ...(scopes === undefined ? {} : { scopes }),
      ...(options.preRegistered === undefined ? {} : { preRegistered: options.preRegistered }),
      ...(options.clientMetadataUrl === undefined
        ? {}
        : { clientMetadataUrl: options.clientMetadataUrl }),
      ...(options.now === undefined ? {} : { now: options.now }),
    })
    credentials = result.credentials
    requested = result.scopes
  }

  /** The token to send now: the stored one, refreshed ahead of expiry when possible. */
  async function tokenForRequest(): Promise<string | undefined> {
    await lookUpStored()
    const current = credentials
    if (current === undefined || current.expires_at - REFRESH_AHEAD_SECONDS > now()) {
      return current?.access_token
    }
    return serialised(async () => {
      if (credentials !== current) return credentials?.access_token
      try {
        await refreshed(await ensureDiscovery())
      } catch (error) {
        if (!isLoginRequired(error)) throw error
        credentials = undefined // send none: the 401 leads to a login
      }
      return credentials?.access_token
    })
  }

  /** After a 401: a token that the server should accept (refreshed or from a new login). */
  function onUnauthorized(sent: string | undefined, header: string | null) {
    return serialised(async () => {
      if (replaced(sent)) return // done meanwhile
      // A refused token: the server may have moved to another AS (SEP-2352), discover again.
      if (sent !== undefined) discovery = undefined
      const found = await ensureDiscovery(header)
      try {
        await refreshed(found, sent)
      } catch (error) {
        if (!isLoginRequired(error)) throw error
        const why =
          sent === undefined
            ? `${server} requires a login`
            : `${server} refused the stored access token and it could not be refreshed`
        await logIn(found, why)
      }
    })
  }

  /** After a 403 insufficient_scope: a step-up authorization, else a ConnectionError. */
  function onForbidden(operation: string, sent: string | undefined, header: string | null) {
    return serialised(async () => {
      if (replaced(sent)) return // done meanwhile
      const decision = tracker.next(operation, requested ?? credentials?.scope, 403, header)
      if (!decision.reauthorize) {
        throw new ConnectionError('insufficient_scope', `${server}: ${decision.reason}`)
      }
      const scopes = decision.scopes.join(' ')
      if (options.mode === 'never' && options.grant === undefined) {
        throw new ConnectionError(
          'insufficient_scope',
          `${server} needs more permissions (scopes: ${scopes}) for ${operation}; ${loginHint}`,
        )
      }
      options.print(`${server} needs more permissions for ${operation}; authorizing: ${scopes}`)
      await logIn(await ensureDiscovery(header), 'step-up', decision.scopes)
    })
  }

  const wrapped = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = await bufferRequest(input, init)
    if (new URL(request.url).origin !== origin) return fetch(request.url, request.init)
    const operation = operationOf(request)
    let unauthorizedOnce = false
    for (;;) {
      const token = await tokenForRequest()
      const headers = new Headers(request.init.headers)
      if (typeof token === 'string') headers.set('authorization', `Bearer ${token}`)
      const response = await fetch(request.url, { ...request.init, headers })
      const header = response.headers.get('www-authenticate')
      if (response.status === 401) {
        if (unauthorizedOnce) {
          await response.body?.cancel()
          throw new ConnectionError(
            'unauthorized',
            `${server} refused the access token obtained just now (HTTP 401); ${loginHint}`,
          )
        }
        unauthorizedOnce = true
        await response.body?.cancel()
        await onUnauthorized(token, header)
        continue
      }
      if (response.status === 403 && insufficientScope(403, header) !== undefined) {
        await response.body?.cancel()
        await onForbidden(operation, token, header)
        continue
      }
      if (response.ok) tracker.succeeded(operation)
      return response
    }
  }
  return wrapped as typeof fetch
}
