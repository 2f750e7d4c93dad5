import { MAX_DISPLAY_NAME_CHARS, normaliseUsername } from '../../../storage/ports.js'
import type { Account, AccountStore } from '../../../storage/ports.js'
import { randomToken } from '../../protocol/secrets.js'
import { hashPassword, passwordProblem } from '../passwords.js'
import { AdminError, CONTROL_CHARS, clockOf } from './errors.js'
import type { AdminContext } from './errors.js'

/** A local account without its password hash: what may be printed or returned. */
export type AccountView = Omit<Account, 'passwordHash'>

export interface NewUserInput {
  username: string
  /** Checked against the policy (`passwordProblem`); never stored, only its argon2id hash. */
  password: string
  displayName?: string
}

export interface UserChange {
  account: AccountView
  /** False when the account already was in the asked state (nothing written, no event). */
  changed: boolean
}

const view = ({ passwordHash: _hash, ...rest }: Account): AccountView => rest

function checkUsername(username: string): string {
  try {
    return normaliseUsername(username)
  } catch (error) {
    throw new AdminError('invalid_input', error instanceof Error ? error.message : String(error))
  }
}

function checkDisplayName(value: string | undefined): string | undefined {
  if (value === undefined) return undefined
  const name = value.trim()
  if (name.length === 0) return undefined
  if ([...name].length > MAX_DISPLAY_NAME_CHARS) {
    throw new AdminError(
      'invalid_input',
      `a display name has at most ${MAX_DISPLAY_NAME_CHARS} characters`,
    )
  }
  if (CONTROL_CHARS.test(name)) {
    throw new AdminError('invalid_input', 'a display name cannot contain control characters')
  }
  return name
}

/** Hashes a new password after the policy check; the error says what to fix. */
async function newPasswordHash(password: string, username: string): Promise<string> {
  const problem = passwordProblem(password, username)
  if (problem !== undefined) throw new AdminError('invalid_input', problem)
  return hashPassword(password, username)
}

async function existing(accounts: AccountStore, username: string): Promise<Account> {
  const name = checkUsername(username)
  const account = await accounts.findByUsername(name)
  if (account === undefined) {
    throw new AdminError('not_found', `there is no account ${name}: "users list" shows them`)
  }
  return account
}

/** A password for `users add --generate`: 24 characters of base64url (144 random bits). */
export function generatePassword(): string {
  return randomToken(18)
}

/**
 * Creates a local account (ADR 0007) and emits `as.account_changed` (`created`).
 * `invalid_input` for a bad username, display name or a password the policy refuses;
 * `conflict` when the username (after normalisation) is taken.
 */
export async function addUser(
  accounts: AccountStore,
  input: NewUserInput,
  context: AdminContext,
): Promise<AccountView> {
  const username = checkUsername(input.username)
  const displayName = checkDisplayName(input.displayName)
  const taken = () => new AdminError('conflict', `an account named ${username} already exists`)
  if ((await accounts.findByUsername(username)) !== undefined) throw taken()
  const passwordHash = await newPasswordHash(input.password, username)
  let account: Account
  try {
    account = await accounts.create(
      { username, passwordHash, ...(displayName === undefined ? {} : { displayName }) },
      clockOf(context),
    )
  } catch (error) {
    // Created by someone else between the check and the insert.
    if ((await accounts.findByUsername(username)) !== undefined) throw taken()
    throw error
  }
  context.audit.emit({ type: 'as.account_changed', accountId: account.id, change: 'created' })
  return view(account)
}

/** Every local account by username, without password hashes. */
export async function listUsers(accounts: AccountStore): Promise<AccountView[]> {
  return (await accounts.list()).map(view)
}

/**
 * Disables or enables an account; a disabled account cannot log in (its grants are not
 * revoked here: `revokeGrantsWhere` with its id does that). Emits `as.account_changed`.
 */
export async function setUserDisabled(
  accounts: AccountStore,
  username: string,
  disabled: boolean,
  context: AdminContext,
): Promise<UserChange> {
  const account = await existing(accounts, username)
  if (account.disabled === disabled) return { account: view(account), changed: false }
  const at = clockOf(context)
  if (!(await accounts.setDisabled(account.id, disabled, at))) {
    throw new AdminError('not_found', `the account ${account.username} was just deleted`)
  }
  context.audit.emit({
    type: 'as.account_changed',
    accountId: account.id,
    change: disabled ? 'disabled' : 'enabled',
  })
  return { account: view({ ...account, disabled, updatedAt: at }), changed: true }
}

/**
 * Sets a new password (policy-checked) and clears the failed-login count and lockout. Emits
 * `as.account_changed` (`password_reset`).
 */
export async function resetUserPassword(
  accounts: AccountStore,
  username: string,
  password: string,
  context: AdminContext,
): Promise<AccountView> {
  const account = await existing(accounts, username)
  const passwordHash = await newPasswordHash(password, account.username)
  const at = clockOf(context)
  if (!(await accounts.setPasswordHash(account.id, passwordHash, at))) {
    throw new AdminError('not_found', `the account ${account.username} was just deleted`)
  }
  context.audit.emit({
    type: 'as.account_changed',
    accountId: account.id,
    change: 'password_reset',
  })
  const { lockedUntil: _locked, ...rest } = account
  return view({ ...rest, passwordHash, failedAttempts: 0, updatedAt: at })
}
