import { readFile, stat } from 'node:fs/promises'
import { addClient, listClients, revokeClient, showClient } from '../auth/server/admin/index.js'
import type {
  AdminClientAuthMethod,
  AdminGrantType,
  ClientMetadata,
  NewClientInput,
} from '../auth/server/admin/index.js'
import {
  ADMIN_FLAGS,
  dispatch,
  formatTime,
  isoTime,
  limitFrom,
  positionals,
  printJson,
  printListing,
  withAdminSession,
} from './admin-support.js'
import { parseFlags } from './args.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** `mcp-pa clients list|show|add|revoke`: OAuth clients of the built-in authorization server. */
export function clientsCommand(argv: string[], env: CliEnv): Promise<number> {
  return dispatch('clients', HELP.clients, { list, show, add, revoke }, argv, env)
}

function help(): number {
  console.log(HELP.clients)
  return EXIT.ok
}

async function list(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags(
    'clients list',
    argv,
    { ...ADMIN_FLAGS, json: { type: 'boolean' }, limit: { type: 'string' } },
    true,
  )
  if (values.help) return help()
  positionals('clients list', given, [])
  const limit = limitFrom(values.limit)
  return withAdminSession(values.config, env, async ({ storage }) => {
    const clients = await listClients(storage.artifacts, limit === undefined ? {} : { limit })
    return printListing(clients, {
      json: values.json,
      toJson: (c) => ({
        client_id: c.clientId,
        client_name: c.name ?? null,
        origin: c.origin,
        token_endpoint_auth_method: c.authMethod,
        grant_types: c.grantTypes,
        redirect_uris: c.redirectUris,
        application_type: c.applicationType ?? null,
        issued_at: isoTime(c.issuedAt),
        expires_at: isoTime(c.expiresAt),
      }),
      empty: 'No stored clients. Add one with: mcp-pa clients add --name <name> …',
      headers: ['CLIENT ID', 'NAME', 'ORIGIN', 'AUTH METHOD', 'GRANT TYPES', 'CREATED'],
      toRow: (c) => [
        c.clientId,
        c.name ?? '-',
        c.origin,
        c.authMethod,
        c.grantTypes.join(' '),
        formatTime(c.issuedAt),
      ],
    })
  })
}

/** `key: value` lines; lists joined by spaces, objects as JSON. */
function printMetadata(metadata: ClientMetadata): void {
  const width = Math.max(...Object.keys(metadata).map((key) => key.length))
  for (const [key, value] of Object.entries(metadata)) {
    const text =
      typeof value === 'string'
        ? value
        : Array.isArray(value) && value.every((v) => typeof v === 'string')
          ? value.join(' ') || '(none)'
          : JSON.stringify(value)
    console.log(`${`${key}:`.padEnd(width + 2)}${text}`)
  }
}

async function show(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags(
    'clients show',
    argv,
    { ...ADMIN_FLAGS, json: { type: 'boolean' } },
    true,
  )
  if (values.help) return help()
  const [clientId = ''] = positionals('clients show', given, ['<client-id>'])
  return withAdminSession(values.config, env, async ({ storage }) => {
    const metadata = await showClient(storage.artifacts, clientId)
    if (metadata === undefined) {
      throw new CliError(
        `there is no stored client ${clientId}: "mcp-pa clients list" shows them`,
        EXIT.failure,
      )
    }
    if (values.json) printJson(metadata)
    else printMetadata(metadata)
    return EXIT.ok
  })
}

const MAX_JWKS_FILE_BYTES = 64 * 1024

/** `--jwks-file F`: a JWK set of public keys as JSON (checked further by addClient). */
async function readJwksFile(path: string): Promise<unknown> {
  try {
    if ((await stat(path)).size > MAX_JWKS_FILE_BYTES) {
      throw new CliError(`--jwks-file ${path} is larger than 64 KiB`, EXIT.usage)
    }
    return JSON.parse(await readFile(path, 'utf8')) as unknown
  } catch (error) {
    if (error instanceof CliError) throw error
    const reason = error instanceof SyntaxError ? 'is not valid JSON' : 'cannot be read'
    throw new CliError(`--jwks-file ${path} ${reason}`, EXIT.usage)
  }
}

const ADD_FLAGS = {
  ...ADMIN_FLAGS,
  json: { type: 'boolean' },
  name: { type: 'string' },
  id: { type: 'string' },
  'redirect-uri': { type: 'string', multiple: true },
  'auth-method': { type: 'string' },
  'grant-type': { type: 'string', multiple: true },
  'no-refresh-token': { type: 'boolean' },
  'application-type': { type: 'string' },
  'jwks-uri': { type: 'string' },
  'jwks-file': { type: 'string' },
  'tls-subject-dn': { type: 'string' },
} as const

async function add(argv: string[], env: CliEnv): Promise<number> {
  if (argv.some((arg) => /^--client-secret(=|$)/.test(arg))) {
    throw new CliError(
      '--client-secret is not accepted: the server makes the secret for client_secret_basic and client_secret_post, shows it once and stores only its hash',
      EXIT.usage,
    )
  }
  const { values, positionals: given } = parseFlags('clients add', argv, ADD_FLAGS, true)
  if (values.help) return help()
  positionals('clients add', given, [])
  if (values.name === undefined) {
    throw new CliError('--name is required: the name people see on the consent page', EXIT.usage)
  }
  const input: NewClientInput = {
    name: values.name,
    ...(values.id === undefined ? {} : { id: values.id }),
    redirectUris: values['redirect-uri'] ?? [],
    ...(values['auth-method'] === undefined
      ? {}
      : { authMethod: values['auth-method'] as AdminClientAuthMethod }),
    ...(values['grant-type'] === undefined
      ? {}
      : { grantTypes: values['grant-type'] as AdminGrantType[] }),
    refreshTokens: values['no-refresh-token'] !== true,
    ...(values['application-type'] === undefined
      ? {}
      : { applicationType: values['application-type'] as 'native' | 'web' }),
    ...(values['jwks-uri'] === undefined ? {} : { jwksUri: values['jwks-uri'] }),
    ...(values['jwks-file'] === undefined ? {} : { jwks: await readJwksFile(values['jwks-file']) }),
    ...(values['tls-subject-dn'] === undefined ? {} : { tlsSubjectDn: values['tls-subject-dn'] }),
  }
  return withAdminSession(values.config, env, async ({ config, storage, audit }) => {
    // A method the server does not accept would make a client that can never authenticate.
    const { client, secret: shownOnce } = await addClient(
      storage.artifacts,
      input,
      { audit },
      { enabledAuthMethods: config.authentication.client_auth_methods },
    )
    if (values.json) {
      printJson(shownOnce === undefined ? { client } : { client, client_secret: shownOnce })
    } else {
      console.log(`Added client ${JSON.stringify(client.client_name)}.`)
      printMetadata(client)
    }
    if (shownOnce !== undefined) {
      const note =
        'The client secret is shown once and is not stored (only its hash is): save it now.'
      if (values.json) console.error(note)
      else console.log(`\nClient secret: ${shownOnce}\n${note}`)
    }
    return EXIT.ok
  })
}

async function revoke(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags('clients revoke', argv, ADMIN_FLAGS, true)
  if (values.help) return help()
  const [clientId = ''] = positionals('clients revoke', given, ['<client-id>'])
  return withAdminSession(values.config, env, async ({ storage, audit }) => {
    const result = await revokeClient(storage.artifacts, clientId, { audit })
    const what = result.clientDeleted
      ? `Deleted client ${clientId}`
      : `No stored client ${clientId} (a metadata-document client)`
    console.log(
      `${what}; revoked ${result.grants} grant(s) and ${result.tokens} token(s) and code(s) issued under them.`,
    )
    return EXIT.ok
  })
}
