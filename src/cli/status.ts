import { parseFlags } from './args.js'
import { describeExpiry, openClientStore, cliErrors } from './client/options.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/**
 * `mcp-pa status [--json]`: what the token store holds — server (resource), authorization
 * server, account, scopes, expiry, refresh token or not, and how mcp-pa registered at each
 * authorization server. Metadata only: the store's `list()` never returns a token value.
 */
export async function status(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals } = parseFlags(
    'status',
    argv,
    { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    true,
  )
  if (values.help) {
    console.log(HELP.status)
    return EXIT.ok
  }
  if (positionals.length > 0) {
    throw new CliError(
      `unexpected argument "${positionals[0]}". Run "mcp-pa status --help".`,
      EXIT.usage,
    )
  }
  const store = await openClientStore(env)
  const now = Date.now() / 1000
  const summaries = await cliErrors(() => store.list())
  summaries.sort((a, b) => a.resource.localeCompare(b.resource) || a.issuer.localeCompare(b.issuer))
  const issuers = [...new Set(summaries.map((s) => s.issuer))]
  const registrations = new Map<string, { method: string; client_id: string }>()
  for (const issuer of issuers) {
    const client = await cliErrors(() => store.getClient(issuer))
    if (client !== undefined) {
      registrations.set(issuer, { method: client.method, client_id: client.client_id })
    }
  }

  if (values.json) {
    const servers = summaries.map((s) => ({
      resource: s.resource,
      issuer: s.issuer,
      ...(s.account === undefined ? {} : { account: s.account }),
      scopes: s.scopes,
      expires_at: new Date(s.expires_at * 1000).toISOString(),
      expired: s.expires_at <= now,
      has_refresh_token: s.has_refresh_token,
      ...(registrations.has(s.issuer) ? { client: registrations.get(s.issuer) } : {}),
    }))
    const output = { store: { kind: store.kind, location: store.location }, servers }
    console.log(JSON.stringify(output, null, 2))
    return EXIT.ok
  }

  const where = store.kind === 'keychain' ? `the OS keychain (${store.location})` : store.location
  if (summaries.length === 0) {
    console.log(`Not logged in to any server. Tokens are kept in ${where}.`)
    console.log('Log in with: mcp-pa login https://server.example/mcp')
    return EXIT.ok
  }
  console.log(`Tokens are kept in ${where}.`)
  for (const s of summaries) {
    const client = registrations.get(s.issuer)
    const lines = [
      '',
      s.resource,
      `  authorization server: ${s.issuer}`,
      `  account:              ${s.account ?? '(not reported by the server)'}`,
      `  scopes:               ${s.scopes.length > 0 ? s.scopes.join(' ') : '(none granted)'}`,
      `  access token expires: ${describeExpiry(s.expires_at, now)}`,
      `  refresh token:        ${s.has_refresh_token ? 'yes (renewed automatically)' : 'no (log in again when it expires)'}`,
    ]
    if (client !== undefined) {
      lines.push(`  client:               ${client.client_id} (${describeMethod(client.method)})`)
    }
    console.log(lines.join('\n'))
  }
  return EXIT.ok
}

function describeMethod(method: string): string {
  if (method === 'client_id_metadata_document') return 'client ID metadata document'
  if (method === 'dynamic_registration') return 'dynamic registration'
  if (method === 'pre_registered') return 'pre-registered'
  return method
}
