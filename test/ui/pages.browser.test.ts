import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser, BrowserContextOptions, Page } from 'playwright-core'
import { renderMessagePage } from '../../src/ui/index.js'
import {
  CHROMIUM_SKIP_REASON,
  chromiumExecutable,
  launchBrowser,
  screenshot,
  watchProblems,
} from '../support/browser.js'
import { startPageServer, type PageServer } from './page-server.js'
import { CSRF, uiPages } from './pages-fixture.js'

// Throws under CI when Chromium is missing; locally the suite is skipped with the reason.
const executable = chromiumExecutable()

const LOGO_SVG =
  '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 48 48"><rect width="48" height="48" rx="10" fill="#0f766e"/><path d="M14 34V14h6l8 12V14h6v20h-6l-8-12v12z" fill="#fff"/></svg>'

const VIEWPORTS: Array<{ label: string; options: BrowserContextOptions }> = [
  { label: 'desktop', options: { viewport: { width: 1280, height: 800 } } },
  {
    label: 'phone',
    options: { viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true },
  },
]

const SHOWN = [
  'login',
  'login-error',
  'account-login',
  'consent',
  'consent-loopback',
  'consent-hostile',
  'setup',
  'account',
  'account-empty',
  'error',
  'message',
]

describe.skipIf(executable === undefined)(`UI pages in Chromium (${CHROMIUM_SKIP_REASON})`, () => {
  let browser: Browser
  let server: PageServer
  /** Stands in for an OAuth client: another origin that the consent redirect goes to. */
  let clientApp: PageServer

  beforeAll(async () => {
    server = await startPageServer()
    clientApp = await startPageServer()
    for (const [name, page] of Object.entries(uiPages(clientApp.origin))) {
      server.pages.set(name, page)
    }
    clientApp.pages.set('callback', {
      html: renderMessagePage({ title: 'Back in the app', message: 'The app got its answer.' }),
    })
    browser = await launchBrowser()
  })

  afterAll(async () => {
    await browser?.close()
    await server?.close()
    await clientApp?.close()
  })

  /** Opens `/page/<name>` in a fresh context; `fn` gets the page and the problems seen so far. */
  async function open<T>(
    name: string,
    options: BrowserContextOptions,
    fn: (page: Page, problems: string[]) => Promise<T>,
  ): Promise<T> {
    const context = await browser.newContext(options)
    try {
      const page = await context.newPage()
      const problems = watchProblems(page)
      // Client logos are https: URLs on hosts that do not exist here.
      await page.route('https://notes.example/**', (route) =>
        route.fulfill({ status: 200, contentType: 'image/svg+xml', body: LOGO_SVG }),
      )
      const response = await page.goto(`${server.origin}/page/${name}`)
      expect(response?.status()).toBe(200)
      return await fn(page, problems)
    } finally {
      await context.close()
    }
  }

  describe.each(VIEWPORTS)('$label', ({ label, options }) => {
    it.each(SHOWN)('%s: styled, no CSP violation, no horizontal scroll', async (name) => {
      await open(name, options, async (page, problems) => {
        // The stylesheet loaded under the CSP (the card's radius comes only from it).
        expect(
          await page.evaluate(
            "getComputedStyle(document.querySelector('.card')).borderTopLeftRadius",
          ),
        ).toBe('14px')
        const widths = (await page.evaluate(
          '({ scroll: document.scrollingElement.scrollWidth, inner: innerWidth })',
        )) as { scroll: number; inner: number }
        expect(widths.scroll).toBeLessThanOrEqual(widths.inner)
        if (label === 'phone') {
          // Tap targets: buttons, text fields and disclosure toggles are at least 44 px high.
          const heights = (await page.evaluate(
            "[...document.querySelectorAll('button, a.button, input[type=text], input[type=password], summary')].map((e) => e.getBoundingClientRect().height)",
          )) as number[]
          for (const height of heights) expect(height).toBeGreaterThanOrEqual(44)
        }
        await screenshot(page, `${name}-${label}`)
        expect(problems).toEqual([])
      })
    })
  })

  it.each(['consent-loopback', 'account', 'login-error'])(
    '%s in the dark colour scheme',
    async (name) => {
      const phone = VIEWPORTS[1]?.options ?? {}
      await open(name, { ...phone, colorScheme: 'dark' }, async (page, problems) => {
        expect(await page.evaluate('getComputedStyle(document.body).backgroundColor')).toBe(
          'rgb(17, 19, 24)',
        )
        await screenshot(page, `${name}-phone-dark`)
        expect(problems).toEqual([])
      })
    },
  )

  it('the login form posts csrf, username and password', async () => {
    await open('login', {}, async (page, problems) => {
      await page.getByLabel('Username').fill('alice')
      await page.getByLabel('Password').fill('correct horse battery staple')
      await Promise.all([
        page.waitForURL(`${server.origin}/login`),
        page.getByRole('button', { name: 'Sign in' }).click(),
      ])
      expect(server.posted.at(-1)).toEqual({
        path: '/login',
        fields: { csrf: [CSRF], username: ['alice'], password: ['correct horse battery staple'] },
      })
      expect(problems).toEqual([])
    })
  })

  it('the setup form posts csrf, username, display_name, password and password_confirm', async () => {
    await open('setup', {}, async (page, problems) => {
      await page.getByLabel('Display name').fill('Alice Example')
      await page.getByLabel('Password', { exact: true }).fill('a long enough passphrase')
      await page.getByLabel('Repeat the password').fill('a long enough passphrase')
      await page.getByRole('button', { name: 'Create account' }).click()
      await page.waitForURL(`${server.origin}/setup/token`)
      expect(server.posted.at(-1)).toEqual({
        path: '/setup/token',
        fields: {
          csrf: [CSRF],
          username: ['alice'],
          display_name: ['Alice Example'],
          password: ['a long enough passphrase'],
          password_confirm: ['a long enough passphrase'],
        },
      })
      expect(problems).toEqual([])
    })
  })

  it('Allow posts decision=allow and remember=on, then follows the 303 to the client', async () => {
    server.redirects.set('/consent', `${clientApp.origin}/page/callback?code=abc`)
    await open('consent', {}, async (page, problems) => {
      await page.getByLabel('Remember this decision for this app').check()
      await page.getByRole('button', { name: 'Allow' }).click()
      await page.waitForURL(`${clientApp.origin}/page/callback?code=abc`)
      expect(server.posted.at(-1)).toEqual({
        path: '/consent',
        fields: { csrf: [CSRF], remember: ['on'], decision: ['allow'] },
      })
      expect(problems).toEqual([])
    })
  })

  it('Deny posts decision=deny and no remember', async () => {
    server.redirects.set('/consent', `${clientApp.origin}/page/callback?error=access_denied`)
    await open('consent', {}, async (page) => {
      await page.getByRole('button', { name: 'Deny' }).click()
      await page.waitForURL(`${clientApp.origin}/page/callback?error=access_denied`)
      expect(server.posted.at(-1)?.fields).toEqual({ csrf: [CSRF], decision: ['deny'] })
    })
  })

  it('without the client origin in form-action, Chromium blocks the redirect after the POST', async () => {
    // Why uiSecurityHeaders takes formActionOrigins: form-action also covers the redirect.
    server.redirects.set('/consent-blocked', `${clientApp.origin}/page/callback?code=abc`)
    await open('consent-blocked', {}, async (page, problems) => {
      const refused = page.waitForEvent('console', (m) => m.text().includes('form-action'))
      await page.getByRole('button', { name: 'Allow' }).click()
      await refused
      expect(server.posted.at(-1)?.path).toBe('/consent-blocked')
      expect(page.url().startsWith(clientApp.origin)).toBe(false)
      expect(problems.join('\n')).toContain("form-action 'self'")
    })
  })

  it('the revoke buttons post csrf and the grant reference', async () => {
    await open('account', {}, async (page) => {
      await page.getByRole('button', { name: 'Revoke access for cli.notes.example' }).click()
      await page.waitForURL(`${server.origin}/account/revoke`)
      expect(server.posted.at(-1)).toEqual({
        path: '/account/revoke',
        fields: { csrf: [CSRF], grant: ['grant-2'] },
      })
    })
  })
})
