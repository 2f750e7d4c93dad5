import { randomBytes } from 'node:crypto'
import { decodeJwt } from 'jose'
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { INVALID_CREDENTIALS_MESSAGE } from '../../src/auth/server/index.js'
import { createSetupLink } from '../../src/auth/server/setup-link.js'
import { SCOPE_DESCRIPTIONS } from '../../src/ui/index.js'
import {
  CHROMIUM_SKIP_REASON,
  chromiumExecutable,
  launchBrowser,
  screenshot,
  watchProblems,
} from '../support/browser.js'
import { authorizationUrl, pkce, register, tokenRequest } from '../support/builtin-flow.js'
import { newPassword, startBuiltinServer, type BuiltinServer } from '../support/builtin-server.js'
import { mcpInitialize } from '../support/mcp-http.js'
import { startLoopbackCallback, type LoopbackCallback } from '../support/loopback-callback.js'

/**
 * The built-in authorization server's pages in a real browser (issue 4 §6, §9): Chromium signs
 * in, consents or denies, returns to a native app's loopback listener, manages connected apps on
 * `/account`, creates the first account from a setup link, and meets the error page that must
 * not redirect; with and without JavaScript. Screenshots: `test-artifacts/screenshots/as-*.png`.
 * Checklist: CIMD-7 (redirect host and loopback warning on consent), ISS-2 (`iss` on success and
 * error), PKCE-4, REDIR-3/REDIR-4 (no redirect to an unregistered URI), CD-3 (CSRF, no framing,
 * the consent page names the client, scopes and redirect), CD-4 (cookie attributes).
 */

// Throws under CI when Chromium is missing; locally the suite is skipped with the reason.
const executable = chromiumExecutable()

// No `offline_access`: the engine drops it without `prompt=consent` (OIDC Core §11), and the
// refresh token comes from the client's `refresh_token` grant type anyway.
const SCOPES = ['memories:read', 'memories:write', 'tasks:read', 'tasks:write']
const DESKTOP = { width: 1280, height: 800 }
const PHONE = { width: 390, height: 844 }
/** How Chromium reports a CSP violation on the console. */
const CSP_VIOLATION = /content security policy|refused to/i

interface Opened {
  context: BrowserContext
  page: Page
  problems: string[]
}

describe.skipIf(executable === undefined)(
  `built-in authorization server pages in Chromium (${CHROMIUM_SKIP_REASON})`,
  () => {
    let browser: Browser
    let as: BuiltinServer
    let callback: LoopbackCallback
    const alice = { username: 'alice', password: newPassword() }
    const contexts: BrowserContext[] = []
    /** Every CSP violation any page reported on the console, with the page URL. */
    const problems: string[] = []
    /** Every `Set-Cookie` line our servers sent to the browser, with the URL that sent it. */
    const setCookies: Array<{ url: string; line: string }> = []
    /** Scenario 1's client and tokens, for the account page (scenario 4). */
    const first = { clientId: '', grantId: '', access: '', refresh: '' }

    beforeAll(async () => {
      ;[browser, as, callback] = await Promise.all([
        launchBrowser(),
        startBuiltinServer({ database: 'sqlite' }),
        startLoopbackCallback(),
      ])
      await as.addAccount(alice.username, alice.password)
    })

    afterAll(async () => {
      for (const context of contexts) await context.close().catch(() => undefined)
      await browser?.close()
      await callback?.close()
      await as?.stop()
    })

    /** A fresh browser context (own cookies) and page, watched for problems and cookies. */
    async function open(options: BrowserContextOptions = {}): Promise<Opened> {
      const context = await browser.newContext({ viewport: DESKTOP, ...options })
      contexts.push(context)
      const page = await context.newPage()
      const own = watchProblems(page)
      page.on('console', (message) => {
        if (CSP_VIOLATION.test(message.text())) problems.push(`${page.url()}: ${message.text()}`)
      })
      page.on('response', (response) => {
        if (response.url().startsWith(callback.redirectUri)) return
        void response
          .headersArray()
          .then((headers) => {
            for (const { name, value } of headers) {
              if (name.toLowerCase() !== 'set-cookie') continue
              for (const line of value.split('\n')) setCookies.push({ url: response.url(), line })
            }
          })
          .catch(() => undefined)
      })
      return { context, page, problems: own }
    }

    const noCspViolation = (seen: string[]) =>
      expect(seen.filter((p) => CSP_VIOLATION.test(p))).toEqual([])

    async function newClient(name: string): Promise<string> {
      const { status, body } = await register(as.issuer, {
        client_name: name,
        application_type: 'native',
        redirect_uris: [callback.redirectUri],
        token_endpoint_auth_method: 'none',
        grant_types: ['authorization_code', 'refresh_token'],
      })
      expect(status).toBe(201)
      return body.client_id as string
    }

    function authorization(clientId: string, redirectUri = callback.redirectUri) {
      const { verifier, challenge } = pkce()
      const state = randomBytes(12).toString('base64url')
      const url = authorizationUrl(as.issuer, {
        clientId,
        redirectUri,
        scope: SCOPES.join(' '),
        challenge,
        resource: as.resource,
        state,
      })
      return { url: url.href, verifier, state }
    }

    /** Fills a sign-in form and submits it; returns the status of the POST's answer. */
    async function submitLogin(page: Page, username: string, password: string): Promise<number> {
      await page.getByLabel('Username').fill(username)
      await page.getByLabel('Password', { exact: true }).fill(password)
      const answer = page.waitForResponse((r) => r.request().method() === 'POST')
      await page.getByRole('button', { name: 'Sign in' }).click()
      const status = (await answer).status()
      await page.waitForLoadState()
      return status
    }

    /** Clicks Allow or Deny and waits until the browser is at the loopback listener. */
    async function decide(page: Page, decision: 'Allow' | 'Deny'): Promise<URLSearchParams> {
      const arrived = callback.next()
      await page.getByRole('button', { name: decision, exact: true }).click()
      const query = await arrived
      await page.waitForURL((url) => url.href.startsWith(callback.redirectUri))
      expect(await page.locator('body').innerText()).toBe('done')
      return query
    }

    const alertText = (page: Page) => page.getByRole('alert').innerText()

    /** A computed style property of the first element matching `selector`. */
    const computed = async (page: Page, selector: string, property: string): Promise<string> =>
      String(
        await page.evaluate(
          `getComputedStyle(document.querySelector(${JSON.stringify(selector)}))[${JSON.stringify(property)}]`,
        ),
      )

    it('scenario 1: code flow in the browser, consent shows client host, redirect host, scopes and the loopback warning; the token works at /mcp (CIMD-7, ISS-2, PKCE-4)', async () => {
      first.clientId = await newClient('Browser Test App')
      const { url, verifier, state } = authorization(first.clientId)
      const { page, problems: seen } = await open()

      const response = await page.goto(url)
      expect(response?.status()).toBe(200)
      expect(page.url()).toMatch(new RegExp(`^${as.origin}/oauth/interaction/[\\w-]+$`))
      await expect(page.locator('h1').innerText()).resolves.toBe('Sign in to continue')
      expect(await page.locator('.client-host').innerText()).toBe(
        new URL(callback.redirectUri).host,
      )
      await screenshot(page, 'as-login')

      expect(await submitLogin(page, alice.username, alice.password)).toBe(303)
      // The consent page: the client's host first and large, where the answer goes, every scope.
      const redirectHost = new URL(callback.redirectUri).host
      const host = page.locator('main h1.client-host')
      expect(await host.innerText()).toBe(redirectHost)
      expect(await page.locator('main > :first-child').textContent()).toBe('Access request')
      // Prominent: the host is the page's heading, in type well above body size.
      const hostSize = Number.parseFloat(await computed(page, 'main h1.client-host', 'fontSize'))
      const bodySize = Number.parseFloat(await computed(page, 'body', 'fontSize'))
      expect(hostSize).toBeGreaterThan(bodySize * 1.3)
      expect(await page.locator('main .client-name').innerText()).toContain('Browser Test App')
      expect(await page.locator('dt:text-is("Sends you back to") + dd').innerText()).toBe(
        redirectHost,
      )
      expect(await page.locator('dt:text-is("For the server") + dd').innerText()).toBe(as.resource)
      const shown = await page.locator('ul.scopes .scope-text').allInnerTexts()
      expect(shown).toEqual(SCOPES.map((scope) => SCOPE_DESCRIPTIONS[scope]))
      const warning = page.getByRole('note')
      await expect(warning.innerText()).resolves.toContain('Did you start this sign-in?')
      expect(await warning.isVisible()).toBe(true)
      await screenshot(page, 'as-consent-desktop')

      await page.setViewportSize(PHONE)
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(
        PHONE.width,
      )
      await expect(host.isVisible()).resolves.toBe(true)
      await screenshot(page, 'as-consent-phone')
      await page.setViewportSize(DESKTOP)

      const query = await decide(page, 'Allow')
      expect(query.get('state')).toBe(state)
      expect(query.get('iss')).toBe(as.issuer)
      const code = query.get('code')
      expect(code).toMatch(/^[\w-]{20,}$/)

      const tokens = await tokenRequest(as.issuer, {
        grant_type: 'authorization_code',
        code: code!,
        code_verifier: verifier,
        redirect_uri: callback.redirectUri,
        client_id: first.clientId,
        resource: as.resource,
      })
      expect(tokens.status).toBe(200)
      expect(typeof tokens.body.refresh_token).toBe('string')
      first.access = tokens.body.access_token as string
      first.refresh = tokens.body.refresh_token as string
      first.grantId = String(decodeJwt(first.access).gid)
      expect((await mcpInitialize(as.resource, first.access)).status).toBe(200)
      noCspViolation(seen)
    })

    it('scenario 2: Deny on the consent page sends error=access_denied with iss and state (ISS-2)', async () => {
      const { url, state } = authorization(await newClient('Deny Test App'))
      const { page, problems: seen } = await open()
      await page.goto(url)
      expect(await submitLogin(page, alice.username, alice.password)).toBe(303)
      await expect(page.locator('main h1').innerText()).resolves.toBe(
        new URL(callback.redirectUri).host,
      )
      const query = await decide(page, 'Deny')
      expect(query.get('error')).toBe('access_denied')
      expect(query.get('iss')).toBe(as.issuer)
      expect(query.get('state')).toBe(state)
      expect(query.get('code')).toBeNull()
      noCspViolation(seen)
    })

    it('scenario 3: a wrong password and an unknown user get the same message; repeated failures lock the account', async () => {
      const bob = { username: 'bob', password: newPassword() }
      await as.addAccount(bob.username, bob.password)
      const { url } = authorization(first.clientId)
      const { page, problems: seen } = await open()
      await page.goto(url)

      expect(await submitLogin(page, bob.username, newPassword())).toBe(401)
      const wrongPassword = await alertText(page)
      expect(wrongPassword).toBe(INVALID_CREDENTIALS_MESSAGE)
      expect(await page.getByLabel('Username').inputValue()).toBe(bob.username)
      expect(await page.getByLabel('Password', { exact: true }).inputValue()).toBe('')
      await screenshot(page, 'as-login-error')

      const stranger = `nobody-${randomBytes(4).toString('hex')}`
      expect(await submitLogin(page, stranger, newPassword())).toBe(401)
      expect(await alertText(page)).toBe(wrongPassword)

      // Five consecutive failures lock the account (1 s, then doubling): keep failing until the
      // page says so; the lock answers before the password is checked.
      let attempts = 1
      let status = 401
      while (status !== 429 && attempts < 12) {
        status = await submitLogin(page, bob.username, newPassword())
        attempts++
      }
      expect(status).toBe(429)
      expect(attempts).toBeGreaterThanOrEqual(6)
      expect(await alertText(page)).toMatch(
        /^Too many failed attempts\. Try again in (1 second|\d+ seconds)\.$/,
      )
      await screenshot(page, 'as-login-locked')
      noCspViolation(seen)
    })

    it('scenario 4: /account lists the connected app; revoking it kills its refresh token at once and its access token within 12 s; sign out works', async () => {
      const { page, problems: seen } = await open()
      await page.goto(`${as.origin}/account`)
      await expect(page.locator('h1').innerText()).resolves.toBe('Sign in')
      await screenshot(page, 'as-account-login')
      expect(await submitLogin(page, alice.username, alice.password)).toBe(303)
      expect(page.url()).toBe(`${as.origin}/account`)
      await expect(page.locator('h1').innerText()).resolves.toBe('Your account')

      const card = page.locator('li.app', {
        has: page.locator(`input[name="grant"][value="${first.grantId}"]`),
      })
      expect(await card.count()).toBe(1)
      expect(await card.locator('.client-host').innerText()).toBe(
        new URL(callback.redirectUri).host,
      )
      expect(await card.locator('.client-name').innerText()).toContain('Browser Test App')
      const scopes = await card.locator('.scope-text').allInnerTexts()
      expect(scopes).toEqual(SCOPES.map((scope) => SCOPE_DESCRIPTIONS[scope]))
      await screenshot(page, 'as-account')

      await card.getByRole('button', { name: /^Revoke access/ }).click()
      await page.waitForURL(`${as.origin}/account?notice=revoked`)
      expect(await page.getByRole('status').innerText()).toBe('Access revoked.')
      expect(await card.count()).toBe(0)
      await screenshot(page, 'as-account-revoked')

      const refreshed = await tokenRequest(as.issuer, {
        grant_type: 'refresh_token',
        refresh_token: first.refresh,
        client_id: first.clientId,
      })
      expect(refreshed.status).toBe(400)
      expect(refreshed.body.error).toBe('invalid_grant')
      const deadline = Date.now() + 12_000
      let mcpStatus = (await mcpInitialize(as.resource, first.access)).status
      while (mcpStatus !== 401 && Date.now() < deadline) {
        await new Promise((resolve) => setTimeout(resolve, 500))
        mcpStatus = (await mcpInitialize(as.resource, first.access)).status
      }
      expect(mcpStatus).toBe(401)

      await page.getByRole('button', { name: 'Sign out' }).click()
      await page.waitForLoadState()
      await expect(page.locator('h1').innerText()).resolves.toBe('Signed out')
      await screenshot(page, 'as-account-signed-out')
      await page.goto(`${as.origin}/account`)
      await expect(page.locator('h1').innerText()).resolves.toBe('Sign in')
      noCspViolation(seen)
    })

    describe('scenario 5: first-account setup link', () => {
      let fresh: BuiltinServer
      beforeAll(async () => {
        fresh = await startBuiltinServer({ database: 'sqlite' })
      })
      afterAll(async () => {
        await fresh?.stop()
      })

      it('refuses mismatched and weak passwords, creates the account once, then answers 410', async () => {
        expect(await fresh.storage.accounts.count()).toBe(0)
        const link = await createSetupLink(fresh.storage.accounts, fresh.storage.artifacts)
        expect(link).toBeDefined()
        const { page, problems: seen } = await open()
        const url = `${fresh.origin}${link!.path}`
        expect((await page.goto(url))?.status()).toBe(200)
        await expect(page.locator('h1').innerText()).resolves.toBe('Create your account')
        await screenshot(page, 'as-setup')

        const fill = async (password: string, confirmation: string): Promise<number> => {
          await page.getByLabel('Username').fill('owner')
          await page.getByLabel('Display name').fill('Owner Person')
          await page.getByLabel('Password', { exact: true }).fill(password)
          await page.getByLabel('Repeat the password').fill(confirmation)
          const answer = page.waitForResponse((r) => r.request().method() === 'POST')
          await page.getByRole('button', { name: 'Create account' }).click()
          const status = (await answer).status()
          await page.waitForLoadState()
          return status
        }

        expect(await fill(newPassword(), newPassword())).toBe(400)
        expect(await alertText(page)).toBe(
          'The two passwords are different. Type the same password twice.',
        )
        expect(await page.getByLabel('Username').inputValue()).toBe('owner')
        await screenshot(page, 'as-setup-mismatch')

        // Long enough for the browser's minlength, refused by the server's policy.
        const weak = 'z'.repeat(16)
        expect(await fill(weak, weak)).toBe(400)
        expect(await alertText(page)).toBe(
          'The password is one character repeated: choose something less predictable.',
        )
        await screenshot(page, 'as-setup-weak')
        expect(await fresh.storage.accounts.count()).toBe(0)

        const good = newPassword()
        expect(await fill(good, good)).toBe(200)
        await expect(page.locator('h1').innerText()).resolves.toBe('Your account is ready')
        await screenshot(page, 'as-setup-done')
        expect(await fresh.storage.accounts.count()).toBe(1)

        const again = await page.goto(url)
        expect(again?.status()).toBe(410)
        await expect(page.locator('h1').innerText()).resolves.toBe(
          'This setup link no longer works',
        )
        await screenshot(page, 'as-setup-gone')
        noCspViolation(seen)
      })
    })

    it.each([
      ['unknown client_id', 'as-error-unknown-client', 'invalid_client'],
      ['redirect_uri not registered', 'as-error-redirect-uri', 'redirect_uri'],
    ])(
      'scenario 6: %s shows the styled error page and never leaves the server (REDIR-4)',
      async (_label, shot, detail) => {
        const clientId =
          shot === 'as-error-unknown-client'
            ? `no-such-client-${randomBytes(4).toString('hex')}`
            : first.clientId
        const redirectUri =
          shot === 'as-error-unknown-client'
            ? callback.redirectUri
            : 'https://attacker.example/callback'
        const before = callback.received.length
        const { page, problems: seen } = await open()
        const navigations: string[] = []
        page.on('framenavigated', (frame) => navigations.push(frame.url()))
        const response = await page.goto(authorization(clientId, redirectUri).url)
        expect(response?.status()).toBe(400)
        expect(new URL(page.url()).origin).toBe(as.origin)
        expect(navigations.every((url) => url.startsWith(`${as.origin}/`))).toBe(true)
        await expect(page.locator('h1').innerText()).resolves.toBe(
          'This sign-in request cannot continue',
        )
        await expect(page.locator('.eyebrow-error').textContent()).resolves.toBe('Error 400')
        await page.locator('details summary').click()
        await expect(page.locator('details .mono').innerText()).resolves.toContain(detail)
        // Styled: the same-origin stylesheet loaded under the page's CSP.
        expect(await computed(page, 'main.card', 'borderTopLeftRadius')).toBe('14px')
        await screenshot(page, shot)
        expect(callback.received.length).toBe(before)
        noCspViolation(seen)
      },
    )

    it('scenario 7: sign-in and consent work with JavaScript disabled', async () => {
      const { url, state } = authorization(await newClient('No Script App'))
      const { page, problems: seen } = await open({ javaScriptEnabled: false })
      await page.goto(url)
      await expect(page.locator('h1').innerText()).resolves.toBe('Sign in to continue')
      expect(await submitLogin(page, alice.username, alice.password)).toBe(303)
      await expect(page.getByRole('note').innerText()).resolves.toContain(
        'Did you start this sign-in?',
      )
      await screenshot(page, 'as-nojs-consent')
      const query = await decide(page, 'Allow')
      expect(query.get('state')).toBe(state)
      expect(query.get('iss')).toBe(as.issuer)
      expect(query.get('code')).toMatch(/^[\w-]{20,}$/)
      noCspViolation(seen)
    })

    it('scenario 8: every cookie the server sets is HttpOnly and SameSite=Lax (CD-4)', async () => {
      const lines = setCookies.map(({ line }) => line)
      const names = new Set(lines.map((line) => line.slice(0, line.indexOf('='))))
      for (const name of [
        'mcp-pa-session',
        'mcp-pa-interaction',
        'mcp-pa-resume',
        'mcp-pa-login',
        'mcp-pa-account',
      ]) {
        expect(names).toContain(name)
      }
      for (const { url, line } of setCookies) {
        const attributes = line.split(';').map((part) => part.trim().toLowerCase())
        expect(attributes, `${url}: ${line.slice(0, line.indexOf('='))}`).toContain('httponly')
        expect(attributes, `${url}: ${line.slice(0, line.indexOf('='))}`).toContain('samesite=lax')
      }
      const jar = (await Promise.all(contexts.map((context) => context.cookies()))).flat()
      expect(jar.length).toBeGreaterThan(0)
      for (const cookie of jar) {
        expect(cookie, cookie.name).toMatchObject({ httpOnly: true, sameSite: 'Lax' })
      }
    })

    it('no page reported a CSP violation', () => {
      expect(problems).toEqual([])
    })
  },
  // Each scenario drives several pages through argon2id sign-ins; allow for a slow CI machine.
  60_000,
)
