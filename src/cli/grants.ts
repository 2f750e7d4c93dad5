import { listGrants, revokeGrant } from '../auth/server/admin/index.js'
import type { GrantFilter } from '../auth/server/admin/index.js'
import type { AccountStore } from '../storage/ports.js'
import {
  ADMIN_FLAGS,
  dispatch,
  formatTime,
  isoTime,
  limitFrom,
  positionals,
  printListing,
  withAdminSession,
} from './admin-support.js'
import { parseFlags } from './args.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** `mcp-pa grants list|revoke`: what accounts allowed clients, and taking it back. */
export function grantsCommand(argv: string[], env: CliEnv): Promise<number> {
  return dispatch('grants', HELP.grants, { list, revoke }, argv, env)
}

function help(): number {
  console.log(HELP.grants)
  return EXIT.ok
}

/** `--user U`: a local username, else taken as an account id (e.g. of a federated login). */
async function accountIdOf(accounts: AccountStore, user: string): Promise<string> {
  const account = await accounts.findByUsername(user)
  return account?.id ?? user
}

async function list(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags(
    'grants list',
    argv,
    {
      ...ADMIN_FLAGS,
      user: { type: 'string', short: 'u' },
      client: { type: 'string' },
      limit: { type: 'string' },
      json: { type: 'boolean' },
    },
    true,
  )
  if (values.help) return help()
  positionals('grants list', given, [])
  const limit = limitFrom(values.limit)
  return withAdminSession(values.config, env, async ({ storage }) => {
    const filter: GrantFilter = {
      ...(values.user === undefined
        ? {}
        : { accountId: await accountIdOf(storage.accounts, values.user) }),
      ...(values.client === undefined ? {} : { clientId: values.client }),
      ...(limit === undefined ? {} : { limit }),
    }
    const grants = await listGrants(storage.artifacts, filter)
    const usernames = new Map((await storage.accounts.list()).map((a) => [a.id, a.username]))
    const userOf = (accountId: string | undefined) =>
      accountId === undefined ? '-' : (usernames.get(accountId) ?? accountId)
    return printListing(grants, {
      json: values.json,
      toJson: (g) => ({
        grant_id: g.grantId,
        account_id: g.accountId ?? null,
        username: g.accountId === undefined ? null : (usernames.get(g.accountId) ?? null),
        client_id: g.clientId ?? null,
        scopes: g.scopes,
        resources: g.resources,
        issued_at: isoTime(g.issuedAt),
        expires_at: isoTime(g.expiresAt),
      }),
      empty: 'No grants match.',
      headers: ['GRANT ID', 'USER', 'CLIENT', 'SCOPES', 'CREATED', 'EXPIRES'],
      toRow: (g) => [
        g.grantId,
        userOf(g.accountId),
        g.clientId ?? '-',
        g.scopes.join(' ') || '-',
        formatTime(g.issuedAt),
        formatTime(g.expiresAt),
      ],
    })
  })
}

async function revoke(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags('grants revoke', argv, ADMIN_FLAGS, true)
  if (values.help) return help()
  const [grantId = ''] = positionals('grants revoke', given, ['<grant-id>'])
  return withAdminSession(values.config, env, async ({ storage, audit }) => {
    const { grant, tokens } = await revokeGrant(storage.artifacts, grantId, { audit })
    const whose = grant === undefined ? '' : ` (client ${grant.clientId ?? 'unknown'})`
    console.log(
      `Revoked grant ${grantId}${whose}: ${tokens} token(s) and code(s) deleted; the client must ask for consent again.`,
    )
    return EXIT.ok
  })
}
