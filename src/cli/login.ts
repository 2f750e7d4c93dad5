import { parseFlags } from './args.js'
import { ensureLogin } from './client/connection.js'
import {
  CLIENT_FLAGS,
  cliErrors,
  clientMetadataUrlFrom,
  describeExpiry,
  fetchOptionsFrom,
  loginModeFrom,
  NETWORK_FLAGS,
  openClientStore,
  preRegisteredFrom,
  printLine,
  refuseSecretFlags,
  scopesFrom,
  serverUrlArgument,
} from './client/options.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

function describeClient(method: string, clientId: string): string {
  if (method === 'client_id_metadata_document') return `client ID metadata document ${clientId}`
  if (method === 'dynamic_registration') return `dynamically registered client ${clientId}`
  return `pre-registered client ${clientId}`
}

/**
 * `mcp-pa login <url>`: discovery, client choice (pre-registered → client ID metadata document
 * → dynamic registration), PKCE authorization through a browser (or a printed URL, or headless
 * redirects), tokens stored in the keychain or the encrypted file. Prints what was granted,
 * never a token. Always authorizes anew, so it also changes account or scopes.
 */
export async function loginCommand(argv: string[], env: CliEnv): Promise<number> {
  refuseSecretFlags(argv)
  const { values, positionals } = parseFlags(
    'login',
    argv,
    {
      ...NETWORK_FLAGS,
      ...CLIENT_FLAGS,
      'no-browser': { type: 'boolean' },
      headless: { type: 'boolean' },
      scope: { type: 'string', multiple: true },
    },
    true,
  )
  if (values.help) {
    console.log(HELP.login)
    return EXIT.ok
  }
  const serverUrl = serverUrlArgument('login', positionals)
  const mode = loginModeFrom(values)
  const scopes = scopesFrom(values)
  const clientMetadataUrl = clientMetadataUrlFrom(values)
  const fetchOptions = fetchOptionsFrom(values)
  const preRegistered = await preRegisteredFrom(values, env)
  const store = await openClientStore(env)
  const result = await cliErrors(() =>
    ensureLogin({
      serverUrl,
      store,
      mode,
      print: printLine,
      fetchOptions,
      force: true,
      ...(scopes === undefined ? {} : { scopes }),
      ...(preRegistered === undefined ? {} : { preRegistered }),
      ...(clientMetadataUrl === undefined ? {} : { clientMetadataUrl }),
    }),
  )
  const { credentials, key, client } = result
  const granted = credentials.scope.split(' ').filter((s) => s !== '')
  const where = store.kind === 'keychain' ? 'the OS keychain' : `${store.location} (encrypted)`
  const lines = [
    `Logged in to ${key.resource}`,
    `  authorization server: ${key.issuer}`,
    ...(credentials.account === undefined
      ? []
      : [`  account:              ${credentials.account}`]),
    `  scopes:               ${granted.length > 0 ? granted.join(' ') : '(none granted)'}`,
    `  access token expires: ${describeExpiry(credentials.expires_at)}`,
    `  refresh token:        ${credentials.refresh_token === undefined ? 'none (log in again when the access token expires)' : 'yes (renewed automatically)'}`,
    `  client:               ${describeClient(client.method, client.client_id)}`,
    `  stored in:            ${where}`,
  ]
  console.log(lines.join('\n'))
  return EXIT.ok
}
