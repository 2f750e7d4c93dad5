/**
 * Headless authorization (issue 5, item 4: `--headless`, the conformance suite): instead of a
 * browser, plain HTTP requests follow the authorization server's redirects until they land on
 * the loopback callback, which then gets the answer exactly as from a browser. It only works
 * with authorization servers that approve without a page (test and automation setups); a
 * login or consent page stops it with a clear error.
 *
 * Every hop goes through `clientRequest` and the URL policy (https, public addresses, pinned
 * DNS), except the last one, to the loopback listener of this very login. Cookies set by the
 * authorization server are kept per origin (an AS may carry its interaction state in them) and
 * never sent to another origin.
 */
import { AuthorizationError } from './authorize-errors.js'
import { refusalIn } from './authorization-refusal.js'
import { clientRequest } from './fetch.js'
import { ClientFetchError, endpointName } from './url-policy.js'
import type { ClientFetchPolicy } from './url-policy.js'

export interface HeadlessOptions {
  policy: ClientFetchPolicy
  /** The loopback redirect URI of this login: where the chain must end. */
  redirectUri: string
  /** Redirects followed at most (default 10). */
  maxRedirects?: number
}

const REDIRECTS = new Set([301, 302, 303, 307, 308])

/** Name → value, per origin. Flags and paths are ignored; expired or emptied cookies dropped. */
class OriginCookies {
  readonly #jars = new Map<string, Map<string, string>>()

  store(origin: string, setCookies: readonly string[]): void {
    const jar = this.#jars.get(origin) ?? new Map<string, string>()
    this.#jars.set(origin, jar)
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';')
      const eq = pair.indexOf('=')
      if (eq <= 0) continue
      const name = pair.slice(0, eq).trim()
      const value = pair.slice(eq + 1).trim()
      const expired = attributes.some((a) => /^\s*max-age\s*=\s*(0|-\d+)\s*$/i.test(a))
      if (expired || value === '') jar.delete(name)
      else jar.set(name, value)
    }
  }

  header(origin: string): Record<string, string> {
    const jar = this.#jars.get(origin)
    if (jar === undefined || jar.size === 0) return {}
    return { cookie: [...jar].map(([name, value]) => `${name}=${value}`).join('; ') }
  }
}

function failed(message: string, cause?: unknown): AuthorizationError {
  return new AuthorizationError('headless_failed', message, { cause })
}

/** The policy for the last hop only: the loopback listener, by its literal address. */
function callbackPolicy(policy: ClientFetchPolicy): ClientFetchPolicy {
  return { ...policy, trustedHosts: new Set(['127.0.0.1']), loopbackTrusted: true }
}

function isCallback(url: URL, redirectUri: URL): boolean {
  return url.origin === redirectUri.origin && url.pathname === redirectUri.pathname
}

/** Delivers the callback to the listener; its status says whether the login was accepted. */
async function deliver(url: URL, policy: ClientFetchPolicy): Promise<void> {
  const init = { what: 'the login callback', readBody: () => false, redirects: 'return' as const }
  const { status } = await clientRequest(url, init, callbackPolicy(policy))
  if (status !== 200) {
    throw failed(
      `the authorization server redirected back, but mcp-pa's callback refused the answer (HTTP ${status}): its state was not this login's, or the answer was an error`,
    )
  }
}

/**
 * GETs the authorization URL and follows its redirects until the loopback callback, which is
 * requested last. Resolves once the listener accepted the callback; the code itself travels
 * only to the listener.
 */
export async function followAuthorizationRedirects(
  authorizationUrl: URL,
  options: HeadlessOptions,
): Promise<void> {
  const redirectUri = new URL(options.redirectUri)
  const max = options.maxRedirects ?? 10
  const cookies = new OriginCookies()
  let url = new URL(authorizationUrl.href)
  try {
    for (let redirects = 0; ; redirects += 1) {
      if (isCallback(url, redirectUri)) return await deliver(url, options.policy)
      if (redirects > max) {
        throw failed(`the authorization server redirected more than ${max} times; giving up`)
      }
      const answer = await clientRequest(
        url,
        {
          what: 'the authorization server (headless login)',
          headers: { accept: 'text/html', ...cookies.header(url.origin) },
          // An error answer is read: it may name why the server refused the request.
          readBody: (status) => status >= 400,
          redirects: 'return',
        },
        options.policy,
      )
      cookies.store(url.origin, answer.headers.getSetCookie())
      const location = answer.headers.get('location')
      const refusal = answer.status >= 400 ? refusalIn(answer.body) : undefined
      if (refusal !== undefined) {
        throw failed(
          `${endpointName(url)} refused the authorization request (HTTP ${answer.status}: ${refusal}) instead of redirecting back to mcp-pa; it does not accept this client or its redirect URI. Check the client ID (a client ID metadata document must name its own URL as client_id and allow http://127.0.0.1 redirect URIs)`,
        )
      }
      if (!REDIRECTS.has(answer.status) || location === null || !URL.canParse(location, url.href)) {
        throw failed(
          `${endpointName(url)} answered HTTP ${answer.status} instead of redirecting back to mcp-pa: it wants a person (a login or consent page). Log in without --headless`,
        )
      }
      url = new URL(location, url)
    }
  } catch (error) {
    if (error instanceof ClientFetchError) {
      throw failed(`headless login stopped: ${error.message}`, error)
    }
    throw error
  }
}
