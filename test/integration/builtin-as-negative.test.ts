import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import * as oauth from 'oauth4webapi'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newPassword, startBuiltinServer, type BuiltinServer } from '../support/builtin-server.js'
import { followAuthorization } from '../support/builtin-flow.js'
import {
  authorizationRequest,
  authorize,
  Browser,
  discover,
  expectErrorPage,
  expectRefusedWithin,
  insecure,
  isPage,
  mcpStatus,
  nativeClient,
  redeem,
  redeemRequest,
  refreshRequest,
  refusal,
  registerClient,
  type Client,
  type Page,
  type Server,
} from '../support/oauth4webapi-client.js'

/**
 * The refusals of the built-in authorization server (issue 4 §9), driven by a real OAuth client
 * (oauth4webapi): every case asserts the exact HTTP status and OAuth `error`, and that a request
 * the server cannot trust ends on its own error page, never with a redirect (REDIR-4).
 * Checklist: REDIR-1, REDIR-3, REDIR-4, PKCE-4, RES-3, OA-1, ISS-2, RT-1, CIMD-5, CIMD-6, CIMD-7,
 * DCR-1, CD-3 (CSRF on the pages).
 */

const SCOPE = 'memories:read tasks:read'
const NATIVE_REDIRECT = 'http://127.0.0.1/cb'
const WEB_REDIRECT = 'https://app.example/cb'
const EVIL_RESOURCE = 'https://evil.example/mcp'

/** DNS of the metadata-document policy (the `lookup` seam): two names that point inside. */
const DNS: Record<string, string[]> = {
  'internal.example.com': ['10.0.0.5'],
  'metadata.example.com': ['169.254.169.254'],
}
const PUBLIC_ADDRESS = '93.184.215.14'

/** Client ID metadata documents served by the `fetch` seam (no network), by URL. */
const documents = new Map<string, () => Response>()
const fetched: string[] = []
const seamFetch = (async (input: string | URL | Request) => {
  const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url
  fetched.push(url)
  const answer = documents.get(url)
  return answer === undefined ? new Response('not found', { status: 404 }) : answer()
}) as typeof fetch

let server: BuiltinServer
let as: Server
let native: Client
let web: Client
const alice = { username: 'alice', password: newPassword() }
const none = oauth.None()

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

beforeAll(async () => {
  server = await startBuiltinServer({
    config: {
      authentication: {
        authorization_server: {
          code_expiry: 10,
          refresh_grace_period: 1,
          registration_unused_expiry: 3600,
        },
      },
    },
    fetch: seamFetch,
    lookup: async (host) => DNS[host] ?? [PUBLIC_ADDRESS],
  })
  await server.addAccount(alice.username, alice.password)
  as = await discover(server.issuer)
  native = await registerClient(as, nativeClient(NATIVE_REDIRECT))
  web = await registerClient(as, {
    ...nativeClient(WEB_REDIRECT),
    application_type: 'web',
  })
})
afterAll(async () => {
  await server?.stop()
})

/** Logs alice in through native and redeems the code: the tokens of one grant. */
async function tokensFor(client: Client = native, redirectUri = NATIVE_REDIRECT) {
  const authorized = await authorize(as, client, alice, {
    redirectUri,
    scope: SCOPE,
    resource: server.resource,
  })
  const tokens = await redeem(as, client, none, authorized, server.resource)
  return { authorized, tokens }
}

/** GET the authorization endpoint once, without following anything. */
const getAuthorize = (url: URL) => fetch(url, { redirect: 'manual' })

describe('redirect URIs at /oauth/authorize (REDIR-3, REDIR-4)', () => {
  it.each([
    ['a trailing slash', 'https://app.example/cb/'],
    ['a different case in the path', 'https://app.example/CB'],
    ['an extra query', 'https://app.example/cb?next=1'],
    ['another path', 'https://app.example/other'],
    ['another port on a non-loopback host', 'https://app.example:8443/cb'],
    ['a fragment', 'https://app.example/cb#x'],
    ['an unregistered host', 'https://evil.example/cb'],
    ['http instead of https', 'http://app.example/cb'],
  ])('web client, %s → error page, no redirect (REDIR-3, REDIR-4)', async (_case, redirectUri) => {
    const { url } = await authorizationRequest(as, web, {
      redirectUri,
      scope: SCOPE,
      resource: server.resource,
    })
    const html = await expectErrorPage(await getAuthorize(url))
    expect(html).toContain('redirect_uri')
  })

  it.each([
    ['another path', 'http://127.0.0.1:5000/other'],
    ['localhost for 127.0.0.1', 'http://localhost/cb'],
    ['[::1] for 127.0.0.1', 'http://[::1]/cb'],
    ['https on loopback', 'https://127.0.0.1/cb'],
  ])('native client, %s → error page, no redirect (REDIR-3)', async (_case, redirectUri) => {
    const { url } = await authorizationRequest(as, native, {
      redirectUri,
      scope: SCOPE,
      resource: server.resource,
    })
    await expectErrorPage(await getAuthorize(url))
  })

  it('native client on another port of 127.0.0.1 → accepted, the code redeems there (RFC 8252 §7.3, REDIR-3)', async () => {
    const redirectUri = 'http://127.0.0.1:51234/cb'
    const authorized = await authorize(as, native, alice, {
      redirectUri,
      scope: SCOPE,
      resource: server.resource,
    })
    expect(authorized.callback.origin).toBe('http://127.0.0.1:51234')
    const tokens = await redeem(as, native, none, authorized, server.resource)
    expect(tokens.token_type).toBe('bearer')
  })

  it('unknown client_id → error page, no redirect (REDIR-4)', async () => {
    const { url } = await authorizationRequest(
      as,
      { client_id: 'mcp-pa-unknown' },
      {
        redirectUri: WEB_REDIRECT,
        scope: SCOPE,
        resource: server.resource,
      },
    )
    const html = await expectErrorPage(await getAuthorize(url))
    expect(html).toContain('invalid_client')
  })
})

/** The error an authorization request was redirected back with, validated as a client would. */
async function redirectedError(url: URL, client: Client, state: string, redirectUri: string) {
  const response = await getAuthorize(url)
  await response.body?.cancel()
  expect(response.status).toBe(303)
  const location = new URL(response.headers.get('location')!)
  // Sent back to the registered redirect URI: the client and its redirect were proven first.
  expect(`${location.origin}${location.pathname}`).toBe(redirectUri)
  expect(location.searchParams.get('iss')).toBe(server.issuer)
  return refusal(
    Promise.resolve().then(() => oauth.validateAuthResponse(as, client, location, state)),
  )
}

describe('PKCE (PKCE-4)', () => {
  it('missing code_challenge → redirect with invalid_request and iss (PKCE-4, ISS-2)', async () => {
    const { url, state } = await authorizationRequest(as, native, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
      params: { code_challenge: null, code_challenge_method: null },
    })
    expect(await redirectedError(url, native, state, NATIVE_REDIRECT)).toEqual({
      status: 0,
      error: 'invalid_request',
    })
  })

  it('code_challenge_method=plain → redirect with invalid_request (PKCE-4)', async () => {
    const { url, state, verifier } = await authorizationRequest(as, native, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
      params: { code_challenge_method: 'plain' },
    })
    // oauth4webapi builds no authorization URLs (nor offers plain: calculatePKCECodeChallenge is
    // S256 only), so this malformed request is set by hand and sent with plain fetch.
    url.searchParams.set('code_challenge', verifier)
    expect(await redirectedError(url, native, state, NATIVE_REDIRECT)).toEqual({
      status: 0,
      error: 'invalid_request',
    })
  })

  it('a wrong code_verifier at the token endpoint → invalid_grant (PKCE-4)', async () => {
    const authorized = await authorize(as, native, alice, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    const response = await redeemRequest(
      as,
      native,
      none,
      authorized,
      server.resource,
      oauth.generateRandomCodeVerifier(),
    )
    expect(await refusal(oauth.processAuthorizationCodeResponse(as, native, response))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
  })

  it('no code_verifier for a code bound to a challenge → invalid_grant (PKCE-4)', async () => {
    // RFC 7636 §4.6 and OAuth 2.1 §4.1.3: the verifier is checked against the challenge the code
    // is bound to; a missing one fails that check like a wrong one, so the grant (the code) is
    // what is invalid — invalid_grant, not invalid_request (the request itself is well formed
    // for a code the client could have obtained without PKCE). oauth4webapi's `nopkce` omits it.
    const authorized = await authorize(as, native, alice, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    const response = await redeemRequest(
      as,
      native,
      none,
      authorized,
      server.resource,
      oauth.nopkce,
    )
    expect(await refusal(oauth.processAuthorizationCodeResponse(as, native, response))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
  })
})

// Independent grants; the slow waits (code expiry, the guard's grant cache) overlap.
describe.concurrent('authorization codes (PKCE-4, RT-1)', () => {
  it('a replayed code → invalid_grant, and what the first redemption issued stops working (PKCE-4, RT-1)', async () => {
    const { authorized, tokens } = await tokensFor()
    expect(await mcpStatus(server.resource, tokens.access_token)).toBe(200)
    const replay = await redeemRequest(as, native, none, authorized, server.resource)
    expect(await refusal(oauth.processAuthorizationCodeResponse(as, native, replay))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
    const refreshed = await refreshRequest(as, native, none, tokens.refresh_token!, server.resource)
    expect(await refusal(oauth.processRefreshTokenResponse(as, native, refreshed))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
    expect(server.events.some((event) => event.type === 'as.code_replay_detected')).toBe(true)
    // The guard trusts an "active" grant for up to 10 s (grant-check.ts).
    await expectRefusedWithin(server.resource, tokens.access_token)
  }, 20_000)

  it("another client's code → invalid_grant (PKCE-4)", async () => {
    const other = await registerClient(as, nativeClient(NATIVE_REDIRECT))
    const authorized = await authorize(as, native, alice, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    const response = await redeemRequest(as, other, none, authorized, server.resource)
    expect(await refusal(oauth.processAuthorizationCodeResponse(as, other, response))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
  })

  it('an expired code (code_expiry 10 s, redeemed after 11 s) → invalid_grant (PKCE-4)', async () => {
    const authorized = await authorize(as, native, alice, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    await sleep(11_000)
    const response = await redeemRequest(as, native, none, authorized, server.resource)
    expect(await refusal(oauth.processAuthorizationCodeResponse(as, native, response))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
  }, 20_000)
})

// Independent grants; the slow waits (code expiry, the guard's grant cache) overlap.
describe.concurrent('refresh tokens and resources (RT-1, RES-3)', () => {
  it('reuse after the grace window (1 s) → invalid_grant, the whole grant revoked, event as.refresh_reuse_detected (RT-1)', async () => {
    const { tokens } = await tokensFor()
    const first = tokens.refresh_token!
    const rotated = await oauth.processRefreshTokenResponse(
      as,
      native,
      await refreshRequest(as, native, none, first, server.resource),
    )
    expect(rotated.refresh_token).not.toBe(first)
    await sleep(1500)
    const reuse = await refreshRequest(as, native, none, first, server.resource)
    expect(await refusal(oauth.processRefreshTokenResponse(as, native, reuse))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
    // The whole grant: the rotated refresh token and every access token of it.
    const after = await refreshRequest(as, native, none, rotated.refresh_token!, server.resource)
    expect(await refusal(oauth.processRefreshTokenResponse(as, native, after))).toEqual({
      status: 400,
      error: 'invalid_grant',
    })
    expect(server.events.some((event) => event.type === 'as.refresh_reuse_detected')).toBe(true)
    await expectRefusedWithin(server.resource, rotated.access_token)
    await expectRefusedWithin(server.resource, tokens.access_token)
  }, 30_000)

  it('another resource at /oauth/authorize → redirect with invalid_target and iss (RES-3)', async () => {
    const { url, state } = await authorizationRequest(as, native, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: EVIL_RESOURCE,
    })
    // Refused before any page: followAuthorization returns the first redirect to the client.
    const { callback, pages } = await followAuthorization(url, alice)
    expect(pages).toEqual([])
    expect(`${callback.origin}${callback.pathname}`).toBe(NATIVE_REDIRECT)
    expect(
      await refusal(
        Promise.resolve().then(() => oauth.validateAuthResponse(as, native, callback, state)),
      ),
    ).toEqual({ status: 0, error: 'invalid_target' })
  })

  it('another resource at the token endpoint (code and refresh) → invalid_target (RES-3)', async () => {
    const authorized = await authorize(as, native, alice, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    const byCode = await redeemRequest(as, native, none, authorized, EVIL_RESOURCE)
    expect(await refusal(oauth.processAuthorizationCodeResponse(as, native, byCode))).toEqual({
      status: 400,
      error: 'invalid_target',
    })
    const { tokens } = await tokensFor()
    const byRefresh = await refreshRequest(as, native, none, tokens.refresh_token!, EVIL_RESOURCE)
    expect(await refusal(oauth.processRefreshTokenResponse(as, native, byRefresh))).toEqual({
      status: 400,
      error: 'invalid_target',
    })
  })
})

describe('OAuth 2.1 removals (OA-1)', () => {
  it('response_type=token → unsupported_response_type, sent back with iss (OA-1)', async () => {
    const { url, state } = await authorizationRequest(as, native, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
      params: { response_type: 'token' },
    })
    const response = await getAuthorize(url)
    await response.body?.cancel()
    expect(response.status).toBe(303)
    const location = new URL(response.headers.get('location')!)
    expect(`${location.origin}${location.pathname}`).toBe(NATIVE_REDIRECT)
    // The default response mode of `token` is the fragment (OAuth 2.0 Multiple Response Types
    // §5), so that is where the engine puts the error.
    expect(location.search).toBe('')
    expect(Object.fromEntries(new URLSearchParams(location.hash.slice(1)))).toMatchObject({
      error: 'unsupported_response_type',
      state,
      iss: server.issuer,
    })
  })

  it('grant_type=password → unsupported_grant_type (OA-1)', async () => {
    const response = await oauth.genericTokenEndpointRequest(
      as,
      native,
      none,
      'password',
      { username: alice.username, password: alice.password },
      insecure,
    )
    expect(await refusal(oauth.processGenericTokenEndpointResponse(as, native, response))).toEqual({
      status: 400,
      error: 'unsupported_grant_type',
    })
  })

  it('metadata lists neither implicit nor password, only response_type code (OA-1)', () => {
    expect(as.response_types_supported).toEqual(['code'])
    expect(as.grant_types_supported).not.toContain('implicit')
    expect(as.grant_types_supported).not.toContain('password')
  })
})

describe('CSRF on the login and consent pages (CD-3)', () => {
  /** Cross-site or tokenless submissions of a page: each a 403 page, never a redirect. */
  async function expectRefusals(browser: Browser, page: Page, fields: Record<string, string>) {
    const other = await authorizationRequest(as, native, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    const otherPage = await new Browser(server.origin).follow(other.url)
    if (!isPage(otherPage)) throw new Error('expected a page')
    const cases: Array<[Record<string, string>, Record<string, string>]> = [
      [fields, {}],
      [{ ...fields, csrf: randomBytes(32).toString('base64url') }, {}],
      // A token from another interaction: bound to its own uid.
      [{ ...fields, csrf: otherPage.csrf }, {}],
      [{ ...fields, csrf: page.csrf }, { origin: 'https://evil.example' }],
      [{ ...fields, csrf: page.csrf }, { 'sec-fetch-site': 'cross-site' }],
      [
        { ...fields, csrf: page.csrf },
        { origin: 'https://evil.example', 'sec-fetch-site': 'cross-site' },
      ],
    ]
    for (const [form, headers] of cases) {
      const html = await expectErrorPage(await browser.submit(page, form, headers), 403)
      expect(html).toContain('This request was refused')
    }
  }

  it('a POST without csrf, with a wrong one, or cross-site → 403 page, no Location; the interaction still works (CD-3)', async () => {
    const browser = new Browser(server.origin)
    const { url, state } = await authorizationRequest(as, native, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    const login = await browser.follow(url)
    if (!isPage(login)) throw new Error('expected the login page')
    expect(login.html).toContain('name="password"')
    const credentials = { username: alice.username, password: alice.password }
    await expectRefusals(browser, login, credentials)
    expect(server.events.filter((event) => event.type === 'as.login_failed')).toEqual([])

    const signedIn = await browser.submit(login, { ...credentials, csrf: login.csrf })
    expect(signedIn.status).toBe(303)
    const consent = await browser.follow(login.action, signedIn)
    if (!isPage(consent)) throw new Error('expected the consent page')
    expect(consent.html).toContain('name="decision"')
    await expectRefusals(browser, consent, { decision: 'allow' })

    const allowed = await browser.submit(consent, { decision: 'allow', csrf: consent.csrf })
    const end = await browser.follow(consent.action, allowed)
    if (isPage(end)) throw new Error('expected the callback')
    const params = oauth.validateAuthResponse(as, native, end.callback, state)
    expect(params.get('code')).toBeTruthy()
  })
})

describe('client ID metadata documents (CIMD-5, CIMD-6, CIMD-7)', () => {
  const CIMD_REDIRECT = 'http://127.0.0.1/callback'
  const documentFor = (clientId: string, extra: Record<string, unknown> = {}) => ({
    client_id: clientId,
    client_name: 'Metadata document client',
    redirect_uris: [CIMD_REDIRECT],
    token_endpoint_auth_method: 'none',
    grant_types: ['authorization_code', 'refresh_token'],
    response_types: ['code'],
    ...extra,
  })
  const serve = (clientId: string, body: unknown) =>
    documents.set(clientId, () =>
      Response.json(body, { headers: { 'cache-control': 'max-age=60' } }),
    )
  const authorizeAs = (clientId: string, redirectUri = CIMD_REDIRECT) =>
    authorizationRequest(
      as,
      { client_id: clientId },
      {
        redirectUri,
        scope: SCOPE,
        resource: server.resource,
      },
    )

  it.each([
    ['an IPv4 loopback literal', 'https://127.0.0.1/x'],
    ['a private IPv4 literal', 'https://10.1.2.3/x'],
    ['the cloud metadata address', 'https://169.254.169.254/latest'],
    ['an IPv6 loopback literal', 'https://[::1]/x'],
    ['localhost', 'https://localhost/x'],
    ['a name that resolves to 10.0.0.5', 'https://internal.example.com/client.json'],
    ['a name that resolves to 169.254.169.254', 'https://metadata.example.com/client.json'],
    ['a non-default port', 'https://cimd.example.com:8443/client.json'],
  ])(
    'client_id on %s → error page, no redirect, never fetched (CIMD-6)',
    async (_case, clientId) => {
      serve(clientId, documentFor(clientId))
      const { url } = await authorizeAs(clientId)
      const html = await expectErrorPage(await getAuthorize(url))
      expect(html).toContain('invalid_client')
      expect(fetched).not.toContain(clientId)
    },
  )

  it('a document answered with a 302 → refused, the redirect not followed (CIMD-6)', async () => {
    const clientId = 'https://cimd.example.com/moved.json'
    documents.set(
      clientId,
      () => new Response(null, { status: 302, headers: { location: 'https://10.0.0.1/x' } }),
    )
    const { url } = await authorizeAs(clientId)
    await expectErrorPage(await getAuthorize(url))
    // Fetched once by the authorization endpoint and, the client being unknown, once more by the
    // engine's error handler (oidc-provider resolves the client again to decide whether it may
    // redirect); the SSRF check runs before each. Never the redirect's target.
    const fetches = fetched.filter((entry) => entry === clientId).length
    expect(fetches).toBeGreaterThanOrEqual(1)
    expect(fetches).toBeLessThanOrEqual(2)
    expect(fetched).not.toContain('https://10.0.0.1/x')
  })

  it.each([
    [
      'a client_id other than its URL',
      'https://cimd.example.com/other-id.json',
      (id: string) => documentFor(`${id}#not-this`),
      /invalid_client_metadata: client_id metadata document client_id does not match/,
    ],
    [
      'a client_secret',
      'https://cimd.example.com/secret.json',
      (id: string) => documentFor(id, { client_secret: randomBytes(24).toString('base64url') }),
      /invalid_client_metadata: client_id metadata document must not contain client_secret/,
    ],
    [
      'a redirect URI http://evil.example/cb',
      'https://cimd.example.com/evil-redirect.json',
      (id: string) => documentFor(id, { redirect_uris: ['http://evil.example/cb'] }),
      /invalid_redirect_uri: a redirect URI must use https/,
    ],
    [
      'more than 5 KiB',
      'https://cimd.example.com/large.json',
      (id: string) => documentFor(id, { client_name: 'x'.repeat(200), padding: 'x'.repeat(6000) }),
      /invalid_client: client_id metadata document fetch failed/,
    ],
  ])(
    'a document with %s → error page, no redirect (CIMD-5)',
    async (_case, clientId, body, detail) => {
      serve(clientId, body(clientId))
      // The request names the document's own first redirect URI, so only the document is at fault.
      const document = body(clientId) as { redirect_uris: string[] }
      const { url } = await authorizeAs(clientId, document.redirect_uris[0])
      const html = await expectErrorPage(await getAuthorize(url))
      expect(html).toMatch(detail)
      expect(fetched).toContain(clientId)
    },
  )

  it('a valid document → the flow works; consent shows its host prominently and the loopback warning (CIMD-5, CIMD-7)', async () => {
    const clientId = 'https://cimd.example.com/client.json'
    serve(clientId, documentFor(clientId))
    const client: Client = { client_id: clientId, token_endpoint_auth_method: 'none' }
    const browser = new Browser(server.origin)
    const request = await authorizeAs(clientId)
    const login = await browser.follow(request.url)
    if (!isPage(login)) throw new Error('expected the login page')
    const signedIn = await browser.submit(login, {
      csrf: login.csrf,
      username: alice.username,
      password: alice.password,
    })
    const consent = await browser.follow(login.action, signedIn)
    if (!isPage(consent)) throw new Error('expected the consent page')
    expect(consent.html).toContain('<h1 class="client-host">cimd.example.com</h1>')
    expect(consent.html).toContain(
      'Identified by its metadata document at <strong class="break">cimd.example.com</strong>',
    )
    expect(consent.html).toContain('Did you start this sign-in?')
    expect(consent.html).toContain('<title>Allow cimd.example.com?')
    const allowed = await browser.submit(consent, { csrf: consent.csrf, decision: 'allow' })
    const end = await browser.follow(consent.action, allowed)
    if (isPage(end)) throw new Error('expected the callback')
    const params = oauth.validateAuthResponse(as, client, end.callback, request.state)
    const tokens = await redeem(
      as,
      client,
      none,
      { ...request, params, callback: end.callback },
      server.resource,
    )
    expect(await mcpStatus(server.resource, tokens.access_token)).toBe(200)
  })
})

describe('dynamic client registration (DCR-1, REDIR-1)', () => {
  const register = (metadata: Record<string, unknown>) =>
    refusal(registerClient(as, { ...nativeClient(NATIVE_REDIRECT), ...metadata }))

  it.each([
    ['http on a non-loopback host', { redirect_uris: ['http://example.com/cb'] }],
    ['a fragment', { redirect_uris: ['https://app.example/cb#x'] }],
    ['a custom scheme', { redirect_uris: ['com.example:/cb'] }],
    ['userinfo', { redirect_uris: ['https://user@app.example/cb'] }],
  ])('a redirect URI with %s → invalid_redirect_uri (REDIR-1)', async (_case, metadata) => {
    const error = await registerClient(as, { ...nativeClient(NATIVE_REDIRECT), ...metadata }).catch(
      (caught: unknown) => caught,
    )
    expect(error).toBeInstanceOf(oauth.ResponseBodyError)
    const { status, cause } = error as oauth.ResponseBodyError
    expect({ status, error: cause.error }).toEqual({ status: 400, error: 'invalid_redirect_uri' })
    // Our policy's reason reaches the developer, not the engine's generic "did not match".
    expect(cause.error_description).toMatch(/redirect URI/)
  })

  it.each([
    ['the implicit grant', { grant_types: ['implicit'], response_types: ['token'] }],
    ['the password grant', { grant_types: ['password'], response_types: [] }],
    [
      'client_credentials for a public client',
      { grant_types: ['client_credentials'], response_types: [], redirect_uris: [] },
    ],
    ['client_secret_post (not enabled here)', { token_endpoint_auth_method: 'client_secret_post' }],
  ])('%s → invalid_client_metadata (OA-1, DCR-1)', async (_case, metadata) => {
    expect(await register(metadata)).toEqual({ status: 400, error: 'invalid_client_metadata' })
  })

  it('an unused registration is reaped by the upkeep; one that obtained a token is not (DCR-1)', async () => {
    const unused = await registerClient(as, nativeClient(NATIVE_REDIRECT))
    const used = await registerClient(as, nativeClient(NATIVE_REDIRECT))
    await tokensFor(used)
    const stored = await server.storage.artifacts.find('Client', unused.client_id)
    // Registered with registration_unused_expiry (3600 s) from now.
    expect(stored?.payload.mcp_pa_reap_after).toBeGreaterThan(Date.now() + 3_500_000)
    for (const client of [unused, used]) {
      const found = await server.storage.artifacts.find('Client', client.client_id)
      await server.storage.artifacts.upsert('Client', client.client_id, {
        ...found!.payload,
        mcp_pa_reap_after: Date.now() - 1000,
      })
    }
    await server.upkeep()
    expect(await server.storage.artifacts.find('Client', unused.client_id)).toBeUndefined()
    expect(await server.storage.artifacts.find('Client', used.client_id)).toBeDefined()
    expect(server.events).toContainEqual(
      expect.objectContaining({ type: 'as.client_reaped', clientId: unused.client_id }),
    )
    expect(server.events).not.toContainEqual(
      expect.objectContaining({ type: 'as.client_reaped', clientId: used.client_id }),
    )
    // The reaped client is unknown now: its authorization requests end on the error page.
    const { url } = await authorizationRequest(as, unused, {
      redirectUri: NATIVE_REDIRECT,
      scope: SCOPE,
      resource: server.resource,
    })
    await expectErrorPage(await getAuthorize(url))
  })
})

describe('registration switched off, gated and rate limited (DCR-1)', () => {
  let closed: BuiltinServer | undefined
  let gated: BuiltinServer | undefined
  let limited: BuiltinServer | undefined
  let dir: string | undefined
  afterAll(async () => {
    await Promise.all([closed?.stop(), gated?.stop(), limited?.stop()])
    if (dir !== undefined) await rm(dir, { recursive: true, force: true })
  })

  it('features.dynamic_client_registration: false → no registration_endpoint in metadata, POST /oauth/register 404 (DCR-1)', async () => {
    closed = await startBuiltinServer({
      config: { features: { dynamic_client_registration: false } },
    })
    const metadata = await discover(closed.issuer)
    expect(metadata.registration_endpoint).toBeUndefined()
    // oauth4webapi refuses to register without a registration_endpoint in the metadata
    // (MISSING_SERVER_METADATA), so the request goes out with plain fetch.
    await expect(registerClient(metadata, nativeClient(NATIVE_REDIRECT))).rejects.toMatchObject({
      code: oauth.MISSING_SERVER_METADATA,
    })
    const response = await fetch(new URL('/oauth/register', closed.issuer), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(nativeClient(NATIVE_REDIRECT)),
    })
    expect(response.status).toBe(404)
    await response.body?.cancel()
  })

  it('an initial access token, when configured, is required (DCR-1)', async () => {
    // The harness passes no environment, so the token is a `file:` secret reference (0600).
    dir = await mkdtemp(join(tmpdir(), 'mcp-pa-iat-'))
    const file = join(dir, 'initial-access-token')
    const token = randomBytes(24).toString('base64url')
    await writeFile(file, token, { mode: 0o600 })
    await chmod(file, 0o600)
    gated = await startBuiltinServer({
      config: {
        authentication: {
          authorization_server: { registration_initial_access_token: `file:${file}` },
        },
      },
    })
    const metadata = await discover(gated.issuer)
    const attempt = (bearer?: string) =>
      refusal(registerClient(metadata, nativeClient(NATIVE_REDIRECT), bearer))
    // No credentials: a bare Bearer challenge without an error code (RFC 6750 §3.1).
    expect(await attempt()).toEqual({ status: 401, error: '' })
    expect(await attempt(randomBytes(24).toString('base64url'))).toEqual({
      status: 401,
      error: 'invalid_token',
    })
    const client = await registerClient(metadata, nativeClient(NATIVE_REDIRECT), token)
    expect(client.client_id).toMatch(/^mcp-pa-/)
  })

  it('the third registration from one IP within the hour → 429 with Retry-After and RateLimit headers (DCR-1)', async () => {
    limited = await startBuiltinServer({
      rateLimits: true,
      config: { authentication: { authorization_server: { registrations_per_ip_per_hour: 2 } } },
    })
    const metadata = await discover(limited.issuer)
    await registerClient(metadata, nativeClient(NATIVE_REDIRECT))
    await registerClient(metadata, nativeClient(NATIVE_REDIRECT))
    const response = await oauth.dynamicClientRegistrationRequest(
      metadata,
      nativeClient(NATIVE_REDIRECT),
      insecure,
    )
    expect(response.status).toBe(429)
    expect(Number(response.headers.get('retry-after'))).toBeGreaterThan(0)
    expect(response.headers.get('ratelimit-limit')).toBe('2')
    expect(response.headers.get('ratelimit-remaining')).toBe('0')
    expect(Number(response.headers.get('ratelimit-reset'))).toBeGreaterThan(0)
    expect(await response.json()).toMatchObject({ error: 'slow_down' })
    expect(limited.events).toContainEqual(
      expect.objectContaining({ type: 'http.rate_limited', bucket: 'registration' }),
    )
  })
})
