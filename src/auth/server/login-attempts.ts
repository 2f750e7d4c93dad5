import type { Account, AccountStore } from '../../storage/ports.js'
import { verifyDummyPassword, verifyPassword } from './passwords.js'

export type LoginRefusal = 'invalid_credentials' | 'locked' | 'disabled'

export type LocalLoginResult =
  | { ok: true; account: Account }
  | {
      ok: false
      reason: LoginRefusal
      /** For `locked`: seconds until the next attempt is considered (a Retry-After value). */
      retryAfter?: number
    }

/**
 * The one message a login page shows for `invalid_credentials`, whether the username is
 * unknown or the password wrong, so the page does not reveal which accounts exist.
 */
export const INVALID_CREDENTIALS_MESSAGE = 'The username or password is incorrect.'

const retryAfterSeconds = (until: number, now: number): number =>
  Math.max(1, Math.ceil((until - now) / 1000))

/**
 * Checks a local login (ADR 0007):
 * - unknown username: a dummy argon2id verification (same cost as a real one), then
 *   `invalid_credentials`, the same answer as a wrong password;
 * - locked (`lockedUntil` > now, after 5 consecutive failures: 1 s, 2 s, 4 s… capped at
 *   15 min): `locked` with `retryAfter`, without trying the password, so a locked account
 *   cannot be guessed at;
 * - wrong password: the failure is counted (which may lock the account), `invalid_credentials`;
 * - right password on a disabled account: `disabled` (only someone who knows the password learns
 *   that the account is disabled); a wrong one is `invalid_credentials` like any other;
 * - right password: the failures are reset and the account returned.
 */
export async function authenticateLocal(
  store: AccountStore,
  username: string,
  password: string,
  now: number,
): Promise<LocalLoginResult> {
  const account = await store.findByUsername(username)
  if (account === undefined) {
    await verifyDummyPassword(password)
    return { ok: false, reason: 'invalid_credentials' }
  }
  if (account.lockedUntil !== undefined && account.lockedUntil > now) {
    return { ok: false, reason: 'locked', retryAfter: retryAfterSeconds(account.lockedUntil, now) }
  }
  if (!(await verifyPassword(account.passwordHash, password))) {
    await store.recordFailure(account.id, now)
    return { ok: false, reason: 'invalid_credentials' }
  }
  if (account.disabled) return { ok: false, reason: 'disabled' }
  await store.recordSuccess(account.id, now)
  const current: Account = { ...account, failedAttempts: 0, lastLoginAt: now }
  delete current.lockedUntil
  return { ok: true, account: current }
}
