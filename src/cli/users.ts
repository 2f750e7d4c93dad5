import {
  addUser,
  generatePassword,
  listUsers,
  resetUserPassword,
  revokeGrantsWhere,
  setUserDisabled,
} from '../auth/server/admin/index.js'
import type { AccountView } from '../auth/server/admin/index.js'
import {
  ADMIN_FLAGS,
  dispatch,
  formatTime,
  isoTime,
  positionals,
  printListing,
  readNewPassword,
  refusePasswordFlags,
  withAdminSession,
} from './admin-support.js'
import { parseFlags } from './args.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** `mcp-pa users add|list|disable|enable|reset-password`: local accounts (ADR 0007). */
export function usersCommand(argv: string[], env: CliEnv): Promise<number> {
  return dispatch(
    'users',
    HELP.users,
    {
      add,
      list,
      disable: (rest, e) => setDisabled('disable', rest, e),
      enable: (rest, e) => setDisabled('enable', rest, e),
      'reset-password': resetPassword,
    },
    argv,
    env,
  )
}

const PASSWORD_FLAGS = { ...ADMIN_FLAGS, generate: { type: 'boolean' } } as const

/** The generated password, printed once with the warning that it is not kept. */
function printGenerated(password: string): void {
  console.log(`Password: ${password}`)
  console.log('This password is shown once and is not stored (only its hash is): save it now.')
}

async function add(argv: string[], env: CliEnv): Promise<number> {
  refusePasswordFlags(argv)
  const { values, positionals: given } = parseFlags(
    'users add',
    argv,
    { ...PASSWORD_FLAGS, 'display-name': { type: 'string' } },
    true,
  )
  if (values.help) return help()
  const [username = ''] = positionals('users add', given, ['<username>'])
  return withAdminSession(values.config, env, async ({ storage, audit }) => {
    const taken = await storage.accounts.findByUsername(username)
    if (taken !== undefined) {
      throw new CliError(`an account named ${taken.username} already exists`, EXIT.failure)
    }
    const password = values.generate ? generatePassword() : await readNewPassword(username)
    const account = await addUser(
      storage.accounts,
      {
        username,
        password,
        ...(values['display-name'] === undefined ? {} : { displayName: values['display-name'] }),
      },
      { audit },
    )
    console.log(`Created account ${account.username} (id ${account.id}).`)
    if (values.generate) printGenerated(password)
    return EXIT.ok
  })
}

function row(account: AccountView, now: number): string[] {
  const locked = account.lockedUntil !== undefined && account.lockedUntil > now
  return [
    account.username,
    account.displayName ?? '-',
    account.disabled ? 'disabled' : 'active',
    formatTime(account.lastLoginAt),
    locked ? formatTime(account.lockedUntil) : '-',
    account.id,
  ]
}

async function list(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags(
    'users list',
    argv,
    { ...ADMIN_FLAGS, json: { type: 'boolean' } },
    true,
  )
  if (values.help) return help()
  positionals('users list', given, [])
  return withAdminSession(values.config, env, async ({ storage }) => {
    const accounts = await listUsers(storage.accounts)
    const now = Date.now()
    return printListing(accounts, {
      json: values.json,
      toJson: (a) => ({
        id: a.id,
        username: a.username,
        display_name: a.displayName ?? null,
        disabled: a.disabled,
        failed_attempts: a.failedAttempts,
        locked_until:
          a.lockedUntil !== undefined && a.lockedUntil > now ? isoTime(a.lockedUntil) : null,
        last_login_at: isoTime(a.lastLoginAt),
        created_at: isoTime(a.createdAt),
      }),
      empty: 'No accounts yet. Add one with: mcp-pa users add <username>',
      headers: ['USERNAME', 'DISPLAY NAME', 'STATUS', 'LAST LOGIN', 'LOCKED UNTIL', 'ID'],
      toRow: (a) => row(a, now),
    })
  })
}

async function setDisabled(
  action: 'disable' | 'enable',
  argv: string[],
  env: CliEnv,
): Promise<number> {
  const { values, positionals: given } = parseFlags(`users ${action}`, argv, ADMIN_FLAGS, true)
  if (values.help) return help()
  const [username = ''] = positionals(`users ${action}`, given, ['<username>'])
  return withAdminSession(values.config, env, async ({ storage, audit }) => {
    const disabled = action === 'disable'
    const { account, changed } = await setUserDisabled(storage.accounts, username, disabled, {
      audit,
    })
    const state = disabled ? 'disabled' : 'enabled'
    console.log(
      changed
        ? `Account ${account.username} is now ${state}.`
        : `Account ${account.username} was already ${state}.`,
    )
    if (changed && disabled) {
      // Disabling cuts access now: every app the account connected loses its grant (its access
      // tokens stop working within seconds, its refresh tokens at once).
      const revoked = await revokeGrantsWhere(
        storage.artifacts,
        { accountId: account.id },
        { audit },
      )
      console.log(
        `It can no longer log in; ${revoked.grants} connected app(s) lost access (${revoked.tokens} token(s) revoked).`,
      )
    }
    return EXIT.ok
  })
}

async function resetPassword(argv: string[], env: CliEnv): Promise<number> {
  refusePasswordFlags(argv)
  const { values, positionals: given } = parseFlags(
    'users reset-password',
    argv,
    PASSWORD_FLAGS,
    true,
  )
  if (values.help) return help()
  const [username = ''] = positionals('users reset-password', given, ['<username>'])
  return withAdminSession(values.config, env, async ({ storage, audit }) => {
    if ((await storage.accounts.findByUsername(username)) === undefined) {
      throw new CliError(
        `there is no account ${username}: "mcp-pa users list" shows them`,
        EXIT.failure,
      )
    }
    const password = values.generate ? generatePassword() : await readNewPassword(username)
    const account = await resetUserPassword(storage.accounts, username, password, { audit })
    console.log(`Password of ${account.username} changed; failed logins and lockout cleared.`)
    if (values.generate) printGenerated(password)
    return EXIT.ok
  })
}

function help(): number {
  console.log(HELP.users)
  return EXIT.ok
}
