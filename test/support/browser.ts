import { existsSync } from 'node:fs'
import { mkdir } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core'

/** Where screenshots go: `test-artifacts/screenshots/` at the repository root (git-ignored). */
export const SCREENSHOT_DIR = resolve(import.meta.dirname, '../../test-artifacts/screenshots')

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser']

/**
 * The Chromium binary: `MCP_PA_CHROMIUM` when set, else Debian's `/usr/bin/chromium` (or
 * `chromium-browser`). Undefined when there is none on a developer machine; under CI
 * (`CI=true`) a missing browser throws instead, so the browser suites can never be skipped
 * there (.ci/run installs Debian's `chromium`).
 */
export function chromiumExecutable(): string | undefined {
  const configured = process.env.MCP_PA_CHROMIUM
  const found =
    configured !== undefined && configured !== ''
      ? existsSync(configured)
        ? configured
        : undefined
      : CANDIDATES.find((path) => existsSync(path))
  if (found === undefined && process.env.CI === 'true') {
    throw new Error(
      `Chromium not found (${configured !== undefined && configured !== '' ? `MCP_PA_CHROMIUM=${configured}` : CANDIDATES.join(', ')}); ` +
        'CI must install it: apt-get install chromium (see .ci/run)',
    )
  }
  return found
}

/** Why the browser suites are skipped on this machine, for the suite title. */
export const CHROMIUM_SKIP_REASON =
  'skipped when Chromium is missing locally: apt-get install chromium, or set MCP_PA_CHROMIUM'

/** Launches headless Chromium (`chromiumExecutable()`); the caller closes it. */
export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumExecutable()
  if (executablePath === undefined) throw new Error(`Chromium not found: ${CHROMIUM_SKIP_REASON}`)
  // Playwright passes --no-sandbox by default (chromiumSandbox: false), which Chromium needs as root.
  return chromium.launch({ executablePath, headless: true })
}

/** Runs `fn` with a fresh browser and closes it afterwards, whatever happens. */
export async function withBrowser<T>(fn: (browser: Browser) => Promise<T>): Promise<T> {
  const browser = await launchBrowser()
  try {
    return await fn(browser)
  } finally {
    await browser.close()
  }
}

/** Saves a full-page PNG as `test-artifacts/screenshots/<name>.png`; returns its path. */
export async function screenshot(page: Page, name: string): Promise<string> {
  if (!/^[a-z0-9][a-z0-9.-]*$/.test(name)) throw new TypeError(`screenshot name: ${name}`)
  await mkdir(SCREENSHOT_DIR, { recursive: true })
  const path = join(SCREENSHOT_DIR, `${name}.png`)
  await page.screenshot({ path, fullPage: true })
  return path
}

/**
 * Records what the page reports as going wrong: console errors and warnings (CSP violations
 * appear there as "Refused to …"), uncaught page errors and failed requests.
 */
export function watchProblems(page: Page): string[] {
  const problems: string[] = []
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() === 'error' || message.type() === 'warning') {
      problems.push(`console ${message.type()}: ${message.text()}`)
    }
  })
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`))
  page.on('requestfailed', (request) =>
    problems.push(`request failed: ${request.url()} ${request.failure()?.errorText ?? ''}`),
  )
  return problems
}
