import { normaliseUsername } from '../../storage/ports.js'
import type { Account, AccountStore, ArtifactStore } from '../../storage/ports.js'
import { randomToken } from '../protocol/secrets.js'
import { PasswordPolicyError, hashPassword } from './passwords.js'

/** How long a setup link works: 24 hours. */
export const SETUP_TOKEN_TTL_SECONDS = 24 * 60 * 60

/** The artifact model of setup tokens (ours, not oidc-provider's; ADR 0007). */
const MODEL = 'SetupToken'

/** Setup tokens are 32 random bytes, base64url: 43 characters of [A-Za-z0-9_-]. */
const TOKEN_SHAPE = /^[\w-]{43}$/

export interface SetupLink {
  /** The token itself: printed once, never stored (only its SHA-256 is). */
  token: string
  /** The path to print after the issuer (its origin and path): `/setup/<token>`. */
  path: string
  /** Epoch milliseconds. */
  expiresAt: number
}

/**
 * Makes the one-time setup link printed on first start, when no account exists; undefined
 * otherwise. The token travels in a path segment (`/setup/<token>`), not a query string: the
 * rule against tokens in URLs is about access tokens, and this link is different in kind — it
 * is shown once on the operator's console, works once (consumed atomically), for 24 hours, and
 * only while there is no account. Only its SHA-256 is stored (the artifact store hashes ids of
 * `SetupToken`, a secret-id model), so the database never holds a usable link. Every start with
 * no account prints a new link; earlier ones stay valid until used or expired.
 */
export async function createSetupLink(
  accounts: AccountStore,
  artifacts: ArtifactStore,
  now: number = Date.now(),
): Promise<SetupLink | undefined> {
  if ((await accounts.count()) > 0) return undefined
  const token = randomToken(32)
  await artifacts.upsert(MODEL, token, { purpose: 'first-account' }, SETUP_TOKEN_TTL_SECONDS)
  return {
    token,
    path: `/setup/${token}`,
    expiresAt: now + SETUP_TOKEN_TTL_SECONDS * 1000,
  }
}

/** Whether the setup page should be shown for this token: known, unused, unexpired, no account. */
export async function setupTokenUsable(
  accounts: AccountStore,
  artifacts: ArtifactStore,
  token: string,
): Promise<boolean> {
  if (typeof token !== 'string' || !TOKEN_SHAPE.test(token)) return false
  const found = await artifacts.find(MODEL, token)
  if (found === undefined || found.consumedAt !== undefined) return false
  return (await accounts.count()) === 0
}

export type SetupResult =
  | { ok: true; account: Account }
  | {
      ok: false
      /**
       * `invalid_link`: unknown, used or expired token; `setup_done`: an account exists;
       * `weak_password`: the policy refused it (`message` says why; the link stays usable);
       * `invalid_username`: the username was refused (`message`; the link stays usable).
       */
      reason: 'invalid_link' | 'setup_done' | 'weak_password' | 'invalid_username'
      message?: string
    }

export interface FirstAccount {
  username: string
  password: string
  displayName?: string
}

/**
 * Creates the first account with a setup token. The password is checked and hashed before the
 * token is spent, so a refused username or password leaves the link usable; then the token is consumed
 * atomically, so of concurrent submissions exactly one creates an account.
 */
export async function completeSetup(
  accounts: AccountStore,
  artifacts: ArtifactStore,
  token: string,
  first: FirstAccount,
  now: number = Date.now(),
): Promise<SetupResult> {
  if (!(await setupTokenUsable(accounts, artifacts, token))) {
    return (await accounts.count()) > 0
      ? { ok: false, reason: 'setup_done' }
      : { ok: false, reason: 'invalid_link' }
  }
  try {
    normaliseUsername(first.username)
  } catch (error) {
    return { ok: false, reason: 'invalid_username', message: (error as Error).message }
  }
  let passwordHash: string
  try {
    passwordHash = await hashPassword(first.password, first.username)
  } catch (error) {
    if (error instanceof PasswordPolicyError) {
      return { ok: false, reason: 'weak_password', message: error.message }
    }
    throw error
  }
  if ((await artifacts.consume(MODEL, token)) !== 'consumed') {
    return { ok: false, reason: 'invalid_link' }
  }
  if ((await accounts.count()) > 0) return { ok: false, reason: 'setup_done' }
  const account = await accounts.create(
    { username: first.username, passwordHash, displayName: first.displayName },
    now,
  )
  return { ok: true, account }
}
