import { createHmac } from 'node:crypto'
import type { AuditSink } from '../../audit/index.js'
import { constantTimeEqual, randomToken } from '../../auth/protocol/index.js'
import {
  authenticateLocal,
  INVALID_CREDENTIALS_MESSAGE,
  type LocalLoginResult,
} from '../../auth/server/index.js'
import type { AccountStore } from '../../storage/ports.js'

/**
 * CSRF tokens, signed cookies and the same-origin check of the authorization server's pages
 * (issue 4 §6). Pure functions over a key derived from the KEK, so every instance agrees.
 */

/** A CSRF token bound to `purpose` (an interaction uid, a session, a setup link). */
export function csrfToken(key: Buffer, purpose: string): string {
  return createHmac('sha256', key).update(`csrf\n${purpose}`).digest('base64url')
}

/** Whether a submitted CSRF token is the one for `purpose` (constant time). */
export function csrfValid(key: Buffer, purpose: string, submitted: unknown): boolean {
  return typeof submitted === 'string' && constantTimeEqual(submitted, csrfToken(key, purpose))
}

/**
 * Whether a form POST comes from our own pages: a browser sends `Origin` on POST (and
 * `Sec-Fetch-Site`); a value naming another site is refused before anything else is read.
 */
export function sameOriginPost(headers: Headers, origin: string): boolean {
  const site = headers.get('sec-fetch-site')
  if (site !== null && site !== 'same-origin' && site !== 'none') return false
  const from = headers.get('origin')
  return from === null || from === origin
}

/** The name of a page cookie: `__Host-` on https (Secure, Path=/, no Domain), plain on loopback http. */
export function cookieName(name: string, secure: boolean): string {
  return secure ? `__Host-${name}` : name
}

/** A `Set-Cookie` value: HttpOnly, SameSite=Lax, Path=/, Secure on https; max-age in seconds (0 deletes). */
export function setCookie(name: string, value: string, maxAge: number, secure: boolean): string {
  return [
    `${name}=${value}`,
    'Path=/',
    `Max-Age=${Math.max(0, Math.floor(maxAge))}`,
    'HttpOnly',
    'SameSite=Lax',
    ...(secure ? ['Secure'] : []),
  ].join('; ')
}

/** One cookie's value from a Cookie header, or undefined. */
export function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const eq = part.indexOf('=')
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

export interface AccountSession {
  accountId: string
  /** Epoch ms after which the session is over unless renewed. */
  expiresAt: number
  /** A random id per sign-in: the CSRF purpose of the account pages. */
  id: string
}

/** Seals an account-page session into a cookie value (HMAC-signed JSON, base64url). */
export function sealSession(key: Buffer, session: AccountSession): string {
  const body = Buffer.from(JSON.stringify(session), 'utf8').toString('base64url')
  const mac = createHmac('sha256', key).update(`session\n${body}`).digest('base64url')
  return `${body}.${mac}`
}

/** Opens a session cookie value; undefined when forged, malformed or expired. */
export function openSession(
  key: Buffer,
  value: string | undefined,
  now: number,
): AccountSession | undefined {
  if (value === undefined) return undefined
  const [body, mac] = value.split('.')
  if (body === undefined || mac === undefined) return undefined
  const expected = createHmac('sha256', key).update(`session\n${body}`).digest('base64url')
  if (!constantTimeEqual(mac, expected)) return undefined
  try {
    const session = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as AccountSession
    if (typeof session.accountId !== 'string' || typeof session.id !== 'string') return undefined
    if (typeof session.expiresAt !== 'number' || session.expiresAt <= now) return undefined
    return session
  } catch {
    return undefined
  }
}

/** A new session for an account, `idleSeconds` long. */
export function newSession(accountId: string, idleSeconds: number, now: number): AccountSession {
  return { accountId, expiresAt: now + idleSeconds * 1000, id: randomToken(16) }
}

/** Checks a sign-in form (`username`, `password`) and audits the outcome, success or failure. */
export async function signIn(
  accounts: AccountStore,
  form: Record<string, unknown>,
  ip: string,
  audit: AuditSink,
): Promise<LocalLoginResult> {
  const username = typeof form.username === 'string' ? form.username : ''
  const password = typeof form.password === 'string' ? form.password : ''
  const result = await authenticateLocal(accounts, username, password, Date.now())
  audit.emit(
    result.ok
      ? { type: 'as.login_succeeded', accountId: result.account.id, ip }
      : { type: 'as.login_failed', reason: result.reason, ip },
  )
  return result
}

/** What a sign-in page says for a refused login (one text for unknown user and wrong password). */
export function loginRefusalMessage(result: Exclude<LocalLoginResult, { ok: true }>): string {
  if (result.reason === 'locked') {
    const wait = result.retryAfter ?? 60
    return `Too many failed attempts. Try again in ${wait} second${wait === 1 ? '' : 's'}.`
  }
  if (result.reason === 'disabled') {
    return 'This account is disabled. Ask the administrator of this server.'
  }
  return INVALID_CREDENTIALS_MESSAGE
}
