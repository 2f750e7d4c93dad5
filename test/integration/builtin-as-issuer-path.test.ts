import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CookieJar } from '../support/cookie-jar.js'
import { followAuthorization, pkce } from '../support/builtin-flow.js'
import { startBuiltinServer, newPassword, type BuiltinServer } from '../support/builtin-server.js'

/**
 * The built-in authorization server with an issuer that has a path (`<origin>/tenant`, as with
 * `authentication.issuer: https://host/tenant`), over real HTTP: the metadata, the login and
 * consent pages, the account page and the first-account setup link all live under the path,
 * not at the root; cookies keep `Path=/` (what `__Host-` requires) and work there; the forms'
 * same-origin and CSRF checks hold.
 */

const PATH = '/tenant'
const REDIRECT = 'http://127.0.0.1/callback'
let as: BuiltinServer
const owner = { username: 'owner', password: newPassword() }

beforeAll(async () => {
  as = await startBuiltinServer({ issuerPath: PATH })
}, 30_000)
afterAll(() => as?.stop())

const csrfOf = (html: string) => /name="csrf" value="([^"]+)"/.exec(html)?.[1] ?? ''
const actionsOf = (html: string) =>
  [...html.matchAll(/<form method="post" action="([^"]+)"/g)].map((m) => m[1] ?? '')
const form = (fields: Record<string, string>, cookie: Record<string, string> = {}) => ({
  method: 'POST',
  redirect: 'manual' as const,
  headers: {
    'content-type': 'application/x-www-form-urlencoded',
    origin: as.origin,
    ...cookie,
  },
  body: new URLSearchParams(fields).toString(),
})

describe('an issuer with a path', () => {
  it('is the issuer of the metadata, whose endpoints are under its path', async () => {
    expect(as.issuer).toBe(`${as.origin}${PATH}`)
    const response = await fetch(`${as.origin}/.well-known/oauth-authorization-server${PATH}`)
    expect(response.status).toBe(200)
    const metadata = (await response.json()) as Record<string, string>
    expect(metadata.issuer).toBe(as.issuer)
    expect(metadata.authorization_endpoint).toBe(`${as.issuer}/oauth/authorize`)
  })

  it('prints the setup link under the path; the page there creates the first account once', async () => {
    const link = new URL(as.setupUrl ?? '')
    expect(link.href).toMatch(new RegExp(`^${as.issuer}/setup/[\\w-]{43}$`))
    const token = link.pathname.split('/').at(-1) ?? ''
    expect((await fetch(`${as.origin}/setup/${token}`)).status).toBe(404)

    const page = await fetch(link)
    expect(page.status).toBe(200)
    const html = await page.text()
    expect(actionsOf(html)).toEqual([`${PATH}/setup/${token}`])
    const fields = {
      csrf: csrfOf(html),
      username: owner.username,
      password: owner.password,
      password_confirm: owner.password,
    }
    const action = new URL(`${PATH}/setup/${token}`, as.origin)
    // Another origin, or a wrong CSRF token: refused, nothing created.
    const foreign = form(fields)
    foreign.headers.origin = 'http://evil.example'
    expect((await fetch(action, foreign)).status).toBe(403)
    expect((await fetch(action, form({ ...fields, csrf: 'x' }))).status).toBe(403)
    expect(await as.storage.accounts.count()).toBe(0)

    const done = await fetch(action, form(fields))
    expect(done.status).toBe(200)
    const doneHtml = await done.text()
    expect(doneHtml).toContain('Your account is ready')
    expect(doneHtml).toContain(`href="${PATH}/account"`)
    expect(await as.storage.accounts.count()).toBe(1)
    expect((await fetch(link)).status).toBe(410)
  })

  it('runs the login and consent pages and the token exchange under the path', async () => {
    const registration = await fetch(`${as.issuer}/oauth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        client_name: 'Path test',
        redirect_uris: [REDIRECT],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      }),
    })
    expect(registration.status).toBe(201)
    const clientId = ((await registration.json()) as { client_id: string }).client_id
    const { verifier, challenge } = pkce()
    const url = new URL(`${as.issuer}/oauth/authorize`)
    for (const [name, value] of Object.entries({
      response_type: 'code',
      client_id: clientId,
      redirect_uri: REDIRECT,
      scope: 'memories:read',
      state: 'path-state',
      code_challenge: challenge,
      code_challenge_method: 'S256',
      resource: as.resource,
    }))
      url.searchParams.set(name, value)
    const { callback, pages } = await followAuthorization(url, owner)
    expect(pages).toEqual(['login', 'consent'])
    expect(callback.searchParams.get('iss')).toBe(as.issuer)
    const tokens = await fetch(`${as.issuer}/oauth/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({
        grant_type: 'authorization_code',
        code: callback.searchParams.get('code') ?? '',
        code_verifier: verifier,
        redirect_uri: REDIRECT,
        client_id: clientId,
        resource: as.resource,
      }),
    })
    expect(tokens.status).toBe(200)
  })

  it('serves the account page under the path: sign in, see and revoke the app, sign out; cookies Path=/', async () => {
    expect((await fetch(`${as.origin}/account`)).status).toBe(404)
    const jar = new CookieJar()
    const loginPage = await fetch(`${as.issuer}/account`)
    jar.store(loginPage)
    expect(loginPage.status).toBe(200)
    expect(loginPage.headers.get('set-cookie')).toMatch(/^mcp-pa-login=[^;]+; Path=\/;/)
    const loginHtml = await loginPage.text()
    expect(actionsOf(loginHtml)).toEqual([`${PATH}/account/login`])
    const action = new URL(`${PATH}/account/login`, as.origin)
    const fields = { csrf: csrfOf(loginHtml), ...owner }

    const foreign = form(fields, jar.headers())
    foreign.headers.origin = 'http://evil.example'
    expect((await fetch(action, foreign)).status).toBe(403)
    expect((await fetch(action, form({ ...fields, csrf: 'x' }, jar.headers()))).status).toBe(403)

    const signedIn = await fetch(action, form(fields, jar.headers()))
    expect(signedIn.status).toBe(303)
    expect(signedIn.headers.get('location')).toBe(`${PATH}/account`)
    expect(signedIn.headers.getSetCookie()[0]).toMatch(/^mcp-pa-account=[^;]+; Path=\/;/)
    jar.store(signedIn)

    const account = await fetch(`${as.issuer}/account`, { headers: jar.headers() })
    expect(account.status).toBe(200)
    const html = await account.text()
    expect(html).toContain('<h1>Your account</h1>')
    expect(html).toContain('Path test')
    expect(actionsOf(html)).toEqual([`${PATH}/account/revoke`, `${PATH}/account/logout`])
    const grant = /name="grant" value="([^"]+)"/.exec(html)?.[1] ?? ''
    const revoked = await fetch(
      new URL(`${PATH}/account/revoke`, as.origin),
      form({ csrf: csrfOf(html), grant }, jar.headers()),
    )
    expect(revoked.status).toBe(303)
    expect(revoked.headers.get('location')).toBe(`${PATH}/account?notice=revoked`)
    const after = await fetch(`${as.issuer}/account?notice=revoked`, { headers: jar.headers() })
    const afterHtml = await after.text()
    expect(afterHtml).toContain('Access revoked.')
    expect(afterHtml).not.toContain('Path test')

    const out = await fetch(
      new URL(`${PATH}/account/logout`, as.origin),
      form({ csrf: csrfOf(afterHtml) }, jar.headers()),
    )
    expect(out.status).toBe(200)
    expect(out.headers.get('set-cookie')).toMatch(/^mcp-pa-account=; Path=\/; Max-Age=0/)
    expect(await out.text()).toContain(`href="${PATH}/account"`)
  })
})
