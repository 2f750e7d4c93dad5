import { createHash, randomBytes } from 'node:crypto'
import { CookieJar } from './cookie-jar.js'

/**
 * A headless person at the built-in authorization server's pages: follows redirects by hand with
 * a cookie jar, signs in on the login page and answers the consent page, reading each page's CSRF
 * token the way a browser submits it. Used by the flow tests and the SDK client's redirect hook.
 */

export interface Person {
  username: string
  password: string
  /** What the consent page is answered with (default allow). */
  decision?: 'allow' | 'deny'
  /** Tick "remember" on the consent page (default true). */
  remember?: boolean
}

export interface FollowResult {
  /** The final redirect to the client (its redirect URI with code/error, state and iss). */
  callback: URL
  /** The pages the person saw, by kind, in order. */
  pages: string[]
  jar: CookieJar
}

const csrfOf = (html: string): string => {
  const match = /name="csrf" value="([^"]+)"/.exec(html)
  if (match?.[1] === undefined) throw new Error(`no CSRF field in page:\n${html.slice(0, 500)}`)
  return match[1].replace(/&amp;/g, '&')
}

const actionOf = (html: string): string => {
  const match = /<form method="post" action="([^"]+)"/.exec(html)
  if (match?.[1] === undefined) throw new Error('no form in page')
  return match[1].replace(/&amp;/g, '&')
}

/**
 * Follows an authorization URL to the client's redirect URI: every redirect inside the server's
 * origin is followed, the login and consent pages are filled in; the first redirect elsewhere is
 * the callback. An error page (no redirect) throws with its text.
 */
export async function followAuthorization(
  authorizationUrl: string | URL,
  person: Person,
  jar: CookieJar = new CookieJar(),
  /** Sees each page answered, with its HTML (for tests that read what the person was shown). */
  onPage?: (kind: 'login' | 'consent', html: string) => void,
): Promise<FollowResult> {
  const start = new URL(authorizationUrl)
  const origin = start.origin
  let next: { url: URL; init: RequestInit } = { url: start, init: { method: 'GET' } }
  const pages: string[] = []
  for (let step = 0; step < 20; step++) {
    const response = await fetch(next.url, {
      ...next.init,
      redirect: 'manual',
      headers: { ...(next.init.headers as Record<string, string>), ...jar.headers() },
    })
    jar.store(response)
    const location = response.headers.get('location')
    if (response.status >= 300 && response.status < 400 && location !== null) {
      const target = new URL(location, next.url)
      if (target.origin !== origin) return { callback: target, pages, jar }
      next = { url: target, init: { method: 'GET' } }
      continue
    }
    const html = await response.text()
    if (response.status !== 200 || !html.includes('name="csrf"')) {
      throw new Error(
        `stopped at HTTP ${response.status} ${next.url.pathname}: ${html
          .replace(/<[^>]+>/g, ' ')
          .replace(/\s+/g, ' ')
          .slice(0, 400)}`,
      )
    }
    const form = new URLSearchParams({ csrf: csrfOf(html) })
    if (html.includes('name="password"') && !html.includes('password_confirm')) {
      pages.push('login')
      onPage?.('login', html)
      form.set('username', person.username)
      form.set('password', person.password)
    } else if (html.includes('name="decision"')) {
      pages.push('consent')
      onPage?.('consent', html)
      form.set('decision', person.decision ?? 'allow')
      if (person.remember ?? true) form.set('remember', 'on')
    } else {
      throw new Error(`unexpected page at ${next.url.pathname}`)
    }
    next = {
      url: new URL(actionOf(html), next.url),
      init: {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', origin },
        body: form.toString(),
      },
    }
  }
  throw new Error('too many redirects')
}

export interface Pkce {
  verifier: string
  challenge: string
}

export function pkce(): Pkce {
  const verifier = randomBytes(32).toString('base64url')
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') }
}

/** An authorization request URL for the server's `/oauth/authorize`. */
export function authorizationUrl(
  issuer: string,
  params: {
    clientId: string
    redirectUri: string
    scope: string
    challenge?: string
    resource?: string
    state?: string
    extra?: Record<string, string>
  },
): URL {
  const url = new URL('/oauth/authorize', issuer)
  url.searchParams.set('response_type', 'code')
  url.searchParams.set('client_id', params.clientId)
  url.searchParams.set('redirect_uri', params.redirectUri)
  url.searchParams.set('scope', params.scope)
  url.searchParams.set('state', params.state ?? randomBytes(12).toString('base64url'))
  if (params.challenge !== undefined) {
    url.searchParams.set('code_challenge', params.challenge)
    url.searchParams.set('code_challenge_method', 'S256')
  }
  if (params.resource !== undefined) url.searchParams.set('resource', params.resource)
  for (const [key, value] of Object.entries(params.extra ?? {})) url.searchParams.set(key, value)
  return url
}

/** A form POST to the token endpoint; returns status and JSON. */
export async function tokenRequest(
  issuer: string,
  form: Record<string, string>,
  headers: Record<string, string> = {},
): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(new URL('/oauth/token', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    body: new URLSearchParams(form),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}

/** RFC 7591 registration; returns status and JSON. */
export async function register(
  issuer: string,
  metadata: Record<string, unknown>,
): Promise<{ status: number; body: Record<string, any> }> {
  const response = await fetch(new URL('/oauth/register', issuer), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(metadata),
  })
  return { status: response.status, body: (await response.json()) as Record<string, any> }
}
