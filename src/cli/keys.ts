import { listSigningKeys, rotateSigningKeys } from '../auth/server/admin/index.js'
import type { SigningKeyView } from '../auth/server/admin/index.js'
import { SIGNING_KEY_ALGS } from '../storage/ports.js'
import type { SigningKeyAlg } from '../storage/ports.js'
import {
  ADMIN_FLAGS,
  dispatch,
  formatTime,
  isoTime,
  positionals,
  printListing,
  withAdminSession,
} from './admin-support.js'
import { parseFlags } from './args.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** `mcp-pa keys list|rotate`: the authorization server's signing keys (ADR 0006). */
export function keysCommand(argv: string[], env: CliEnv): Promise<number> {
  return dispatch('keys', HELP.keys, { list, rotate }, argv, env)
}

function help(): number {
  console.log(HELP.keys)
  return EXIT.ok
}

const json = (key: SigningKeyView) => ({
  kid: key.kid,
  alg: key.alg,
  state: key.state,
  created_at: isoTime(key.createdAt),
  activated_at: isoTime(key.activatedAt),
  retire_after: isoTime(key.retireAfter),
  retired_at: isoTime(key.retiredAt),
})

async function list(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags(
    'keys list',
    argv,
    { ...ADMIN_FLAGS, json: { type: 'boolean' } },
    true,
  )
  if (values.help) return help()
  positionals('keys list', given, [])
  return withAdminSession(values.config, env, async ({ storage }) => {
    const keys = await listSigningKeys(storage.signingKeys)
    return printListing(keys, {
      json: values.json,
      toJson: json,
      empty: 'No signing keys yet: the server makes one on its first start in http mode.',
      headers: ['KID', 'ALG', 'STATE', 'CREATED', 'RETIRE AFTER', 'RETIRED'],
      toRow: (k) => [
        k.kid,
        k.alg,
        k.state,
        formatTime(k.createdAt),
        formatTime(k.retireAfter),
        formatTime(k.retiredAt),
      ],
    })
  })
}

function algFrom(value: string | undefined): SigningKeyAlg | undefined {
  if (value === undefined) return undefined
  if (!(SIGNING_KEY_ALGS as readonly string[]).includes(value)) {
    throw new CliError(
      `--alg must be one of ${SIGNING_KEY_ALGS.join(', ')}, got "${value}"`,
      EXIT.usage,
    )
  }
  return value as SigningKeyAlg
}

async function rotate(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals: given } = parseFlags(
    'keys rotate',
    argv,
    { ...ADMIN_FLAGS, alg: { type: 'string' } },
    true,
  )
  if (values.help) return help()
  positionals('keys rotate', given, [])
  const alg = algFrom(values.alg)
  return withAdminSession(values.config, env, async ({ config, storage, audit, logger }) => {
    // The server's own loader: the configured reference, or on SQLite the generated key file.
    // Loaded here only: its module brings the whole authorization server (and oidc-provider).
    const { loadKek } = await import('./kek.js')
    const kek = await loadKek(config, env.vars, env.home, logger)
    const ttl = config.authentication.token_expiry
    const result = await rotateSigningKeys(
      storage.signingKeys,
      kek,
      { accessTokenTtlSeconds: ttl, ...(alg === undefined ? {} : { alg }) },
      { audit },
    )
    for (const kid of result.retired) console.log(`Retired ${kid} (its tokens have expired).`)
    console.log(`New active signing key ${result.active.kid} (${result.active.alg}).`)
    if (result.retiring !== undefined) {
      console.log(
        `Previous key ${result.retiring.kid} keeps verifying tokens until ${formatTime(result.retiring.retireAfter)} (the ${ttl} s token lifetime).`,
      )
    }
    return EXIT.ok
  })
}
