/**
 * Opening the authorization URL in the user's browser without a shell (URL-2; CVE-2025-6514 was
 * a shell-opened URL): the platform opener is started with `execFile` and the URL as one
 * argument, never through `sh -c`, `cmd /c start` or PowerShell. Only `https` URLs, or `http` on
 * a loopback host, are opened (URL-1), serialised by the WHATWG parser, so no quote, space or
 * control character reaches the opener.
 */
import { execFile } from 'node:child_process'
import { isLoopbackHostname } from '../protocol/index.js'
import { AuthorizationError } from './authorize-errors.js'

/** The program and arguments that open `url` on `platform`. */
export interface OpenCommand {
  readonly file: string
  readonly args: readonly string[]
}

/** Runs a program without a shell; resolves when it exits 0 (or keeps running). */
export type RunProgram = (file: string, args: readonly string[]) => Promise<void>

/**
 * Checks a URL before it is opened: `https`, or `http` on a loopback host; no user information.
 * Anything else (`javascript:`, `file:`, `data:`, plain http to a remote host) is a TypeError.
 */
export function checkBrowserUrl(value: string | URL): URL {
  const text = value instanceof URL ? value.href : value
  if (typeof text !== 'string' || !URL.canParse(text)) {
    throw new TypeError('the authorization URL is not an absolute URL')
  }
  const url = new URL(text)
  const loopbackHttp = url.protocol === 'http:' && isLoopbackHostname(url.hostname)
  if (url.protocol !== 'https:' && !loopbackHttp) {
    throw new TypeError(
      `mcp-pa opens only https URLs (or http on loopback) in a browser, not ${url.protocol} URLs`,
    )
  }
  if (url.username !== '' || url.password !== '') {
    throw new TypeError('the authorization URL must not carry user information')
  }
  return url
}

/**
 * The WHATWG serialisation leaves a few characters a shell would read (`'`, backtick, `|`, `^`,
 * braces) in queries; they are percent-encoded too, so the opener's argument holds only RFC 3986
 * characters other than quotes. No shell sees it anyway: this is defence in depth.
 */
function openerSafe(href: string): string {
  return href.replace(/[^A-Za-z0-9\-._~:/?#[\]@!$&()*+,;=%]/g, (c) =>
    [...Buffer.from(c)].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join(''),
  )
}

/**
 * The opener for a platform: `open` (macOS), `rundll32 url.dll,FileProtocolHandler` (Windows:
 * no `cmd`, which would read `&` and `%VAR%`), `xdg-open` elsewhere.
 */
export function browserCommand(
  url: URL,
  platform: NodeJS.Platform = process.platform,
): OpenCommand {
  const href = openerSafe(checkBrowserUrl(url).href)
  if (platform === 'darwin') return { file: 'open', args: [href] }
  if (platform === 'win32') return { file: 'rundll32', args: ['url.dll,FileProtocolHandler', href] }
  return { file: 'xdg-open', args: [href] }
}

/** How long an opener may run before it is assumed to have handed the URL over. */
const OPENER_GRACE_MS = 5000

/** `execFile` (no shell), output ignored, detached from the CLI's lifetime after a grace period. */
export const runWithoutShell: RunProgram = (file, args) =>
  new Promise<void>((resolve, reject) => {
    const child = execFile(file, [...args], { shell: false, windowsHide: true }, (error) => {
      clearTimeout(timer)
      if (error === null) resolve()
      else reject(error)
    })
    const timer = setTimeout(() => {
      child.unref()
      resolve()
    }, OPENER_GRACE_MS)
    timer.unref()
  })

export interface OpenBrowserOptions {
  platform?: NodeJS.Platform
  run?: RunProgram
}

/**
 * Opens `url` in the default browser. Rejects with `browser_failed` (naming the opener, not the
 * URL) when the URL is refused or the opener is missing or fails: the caller then prints the URL.
 */
export async function openBrowser(
  url: string | URL,
  options: OpenBrowserOptions = {},
): Promise<void> {
  let command: OpenCommand
  try {
    command = browserCommand(checkBrowserUrl(url), options.platform)
  } catch (error) {
    throw new AuthorizationError('browser_failed', (error as Error).message, { cause: error })
  }
  try {
    await (options.run ?? runWithoutShell)(command.file, command.args)
  } catch (error) {
    const code = (error as { code?: unknown }).code
    const reason = code === 'ENOENT' ? 'is not installed' : 'failed'
    throw new AuthorizationError(
      'browser_failed',
      `could not open a browser (${command.file} ${reason}); open the URL yourself`,
      { cause: error },
    )
  }
}
