import { spawnSync } from 'node:child_process'
import { createHash, randomBytes, randomUUID } from 'node:crypto'
import { mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { exportJWK, generateKeyPair } from 'jose'
import pg from 'pg'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { openSqliteStorage } from '../../src/storage/sqlite/open.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { CLI } from '../helpers/spawn-client.js'
import { rawOauthDump } from '../helpers/oauth-dump.js'

// `mcp-pa users|clients|grants|keys` as users run them: the built CLI (`npm run build` first)
// on a temp HOME, so the database is the default SQLite file. Passwords and client secrets
// created here are recorded with the log sentinel: none may appear in stderr (the log).

const sentinel = logSentinel(import.meta.filename)

let home: string
let database: string
beforeAll(async () => {
  home = await mkdtemp(join(tmpdir(), 'mcp-pa-admin-e2e-'))
  database = join(home, '.config/mcp-pa/database.sqlite')
})
afterAll(async () => {
  sentinel.assertClean()
  await rm(home, { recursive: true, force: true })
})

function cli(args: string[], options: { input?: string; env?: Record<string, string> } = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...options.env },
    encoding: 'utf8',
    input: options.input ?? '',
    timeout: 30_000,
  })
  sentinel.log(run.stderr)
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

const rawDump = (): string => rawOauthDump(database)

const newPassword = () => sentinel.secret(`pass ${randomBytes(12).toString('base64url')}`)
const auditTypes = (stderr: string) =>
  stderr
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as { audit?: boolean; type?: string })
    .filter((record) => record.audit === true)
    .map((record) => record.type)

// Each command is a process of its own (≈ 0.5 s); the longer tests run a dozen.
const SLOW = { timeout: 120_000 }

describe('help and usage errors', () => {
  it.each([
    [['users', '--help']],
    [['users', 'add', '--help']],
    [['clients', 'help']],
    [['clients', 'add', '-h']],
    [['grants', '--help']],
    [['keys', 'rotate', '--help']],
  ])('answers %j with help and exit 0', (args) => {
    const run = cli(args)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Usage: mcp-pa (users|clients|grants|keys) <subcommand>/)
  })

  it('lists the administration commands in the main help', () => {
    expect(cli(['--help']).stdout).toMatch(/users …[\s\S]*clients …[\s\S]*grants …[\s\S]*keys …/)
  })

  it.each([
    [['users'], /Usage: mcp-pa users/],
    [['users', 'rename'], /unknown subcommand "users rename": use one of add, list/],
    [['users', 'add'], /missing <username>/],
    [['users', 'add', 'a', 'b'], /unexpected argument "b"/],
    [['users', 'list', '--colour'], /Unknown option '--colour'[\s\S]*mcp-pa users list --help/],
    [['clients', 'add', '--redirect-uri', 'http://127.0.0.1/cb'], /--name is required/],
    [['clients', 'list', '--limit', '0'], /--limit must be a whole number from 1 to 1000/],
    [['grants', 'revoke'], /missing <grant-id>/],
    [['keys', 'rotate', '--alg', 'HS256'], /--alg must be one of ES256, EdDSA/],
  ])('answers %j with a usage error (exit 2)', (args, message) => {
    const run = cli(args)
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toMatch(message)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })
})

describe('users', SLOW, () => {
  const alicePassword = newPassword()
  let generated = ''

  it('adds an account with the password from stdin, and one with a generated password', () => {
    const add = cli(['users', 'add', 'Alice', '--display-name', 'Alice Example'], {
      input: `${alicePassword}\nnot read\n`,
    })
    expect(add).toMatchObject({ code: 0 })
    expect(add.stdout).toMatch(/^Created account alice \(id [0-9a-f-]{36}\)\.\n$/)
    expect(auditTypes(add.stderr)).toEqual(['as.account_changed'])

    const gen = cli(['users', 'add', 'bob', '--generate'])
    expect(gen.code).toBe(0)
    generated = sentinel.secret(/^Password: (\S+)$/m.exec(gen.stdout)?.[1] ?? '')
    expect(generated).toMatch(/^[\w-]{24}$/)
    expect(gen.stdout).toMatch(/shown once and is not stored/)

    const dump = rawDump()
    expect(dump).not.toContain(alicePassword)
    expect(dump).not.toContain(generated)
    expect(dump).toContain('$argon2id$')
  })

  it('refuses a duplicate, a weak password, a password flag and an empty stdin', () => {
    const duplicate = cli(['users', 'add', 'ALICE'], { input: `${newPassword()}\n` })
    expect(duplicate).toMatchObject({ code: 1 })
    expect(duplicate.stderr).toMatch(/an account named alice already exists/)

    const weak = cli(['users', 'add', 'carol'], { input: 'short\n' })
    expect(weak.code).toBe(2)
    expect(weak.stderr).toMatch(/The password is too short: use at least 12 characters/)

    const flag = cli(['users', 'add', 'carol', '--password=hunter2hunter2'])
    expect(flag.code).toBe(2)
    expect(flag.stderr).toMatch(/--password is not accepted/)
    expect(flag.stderr).not.toContain('hunter2hunter2')

    const empty = cli(['users', 'add', 'carol'])
    expect(empty.code).toBe(2)
    expect(empty.stderr).toMatch(/no password on stdin/)
    expect(JSON.parse(cli(['users', 'list', '--json']).stdout)).toHaveLength(2)
  })

  it('lists, disables, enables and resets a password', () => {
    const list = cli(['users', 'list'])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^USERNAME +DISPLAY NAME +STATUS +LAST LOGIN +LOCKED UNTIL +ID\n/)
    expect(list.stdout).toMatch(/alice +Alice Example +active +- +- +[0-9a-f-]{36}/)

    expect(cli(['users', 'disable', 'bob']).stdout).toMatch(/Account bob is now disabled/)
    expect(cli(['users', 'disable', 'bob']).stdout).toMatch(/was already disabled/)
    const users = JSON.parse(cli(['users', 'list', '--json']).stdout) as Array<
      Record<string, unknown>
    >
    expect(users.find((u) => u.username === 'bob')).toMatchObject({
      disabled: true,
      display_name: null,
      locked_until: null,
    })
    expect(JSON.stringify(users)).not.toContain('argon2')
    const enable = cli(['users', 'enable', 'bob'])
    expect(enable.stdout).toMatch(/Account bob is now enabled/)
    expect(auditTypes(enable.stderr)).toEqual(['as.account_changed'])

    const reset = cli(['users', 'reset-password', 'bob'], { input: `${newPassword()}\n` })
    expect(reset.code).toBe(0)
    expect(reset.stdout).toMatch(/Password of bob changed; failed logins and lockout cleared/)
    const unknown = cli(['users', 'reset-password', 'nobody'], { input: `${newPassword()}\n` })
    expect(unknown.code).toBe(1)
    expect(unknown.stderr).toMatch(/there is no account nobody/)
  })
})

describe('clients', SLOW, () => {
  let confidential = ''

  it('adds a client with a secret shown once; the database holds only its sha256 hash', () => {
    const add = cli([
      'clients',
      'add',
      '--name',
      'Web app',
      '--redirect-uri',
      'https://app.example/callback',
      '--auth-method',
      'client_secret_basic',
    ])
    expect(add.code).toBe(0)
    const secret = sentinel.secret(/^Client secret: (\S+)$/m.exec(add.stdout)?.[1] ?? '')
    expect(secret).toMatch(/^[\w-]{43}$/)
    expect(add.stdout).toMatch(/client_secret: +\(hashed\)/)
    expect(add.stdout).toMatch(/shown once and is not stored/)
    confidential = /^client_id: +(\S+)$/m.exec(add.stdout)?.[1] ?? ''
    expect(confidential).toMatch(/^mcp-pa-[\w-]{22}$/)
    expect(auditTypes(add.stderr)).toEqual(['as.client_registered'])

    const dump = rawDump()
    expect(dump).not.toContain(secret)
    const hash = `sha256:${createHash('sha256').update(secret).digest('hex')}`
    expect(dump).toContain(hash)

    const show = cli(['clients', 'show', confidential])
    expect(show.code).toBe(0)
    expect(show.stdout).toMatch(/client_secret: +\(hashed\)/)
    expect(show.stdout).not.toContain('sha256:')
    expect(show.stdout).not.toContain(secret)
  })

  it('adds a public native client, and a client_credentials client as JSON', () => {
    const add = cli([
      'clients',
      'add',
      '--name',
      'Desktop',
      '--redirect-uri',
      'http://127.0.0.1/cb',
      '--id',
      'desktop-app',
    ])
    expect(add.code).toBe(0)
    expect(add.stdout).toMatch(/application_type: +native/)
    expect(add.stdout).not.toMatch(/Client secret/)

    const json = cli([
      'clients',
      'add',
      '--name',
      'Reporter',
      '--grant-type',
      'client_credentials',
      '--json',
    ])
    expect(json.code).toBe(0)
    const parsed = JSON.parse(json.stdout) as {
      client: Record<string, unknown>
      client_secret: string
    }
    sentinel.secret(parsed.client_secret)
    expect(parsed.client).toMatchObject({
      grant_types: ['client_credentials'],
      client_secret: '(hashed)',
      mcp_pa_origin: 'admin',
    })
    expect(json.stderr).toMatch(/shown once and is not stored/)

    const list = JSON.parse(cli(['clients', 'list', '--json']).stdout) as Array<
      Record<string, unknown>
    >
    expect(list.map((c) => c.client_id)).toEqual(
      expect.arrayContaining(['desktop-app', confidential, parsed.client.client_id]),
    )
    expect(JSON.stringify(list)).not.toContain('sha256:')
    expect(cli(['clients', 'list']).stdout).toMatch(/^CLIENT ID +NAME +ORIGIN +AUTH METHOD/)
  })

  it.each([
    [['--redirect-uri', 'http://app.example/cb'], /plain http on a non-loopback host/],
    [['--redirect-uri', 'https://app.example/cb#x'], /must not have a fragment/],
    [['--redirect-uri', 'app.example/cb'], /must be an absolute URL/],
    [['--redirect-uri', 'https://a.example/cb', '--id', 'desktop-app'], /already exists/],
    [
      ['--redirect-uri', 'https://a.example/cb', '--auth-method', 'private_key_jwt'],
      /exactly one of/,
    ],
    [['--client-secret', 'x'], /--client-secret is not accepted/],
  ])('refuses %j', (flags, message) => {
    const run = cli(['clients', 'add', '--name', 'Bad', ...flags])
    expect(run.code).toBe(message.source.includes('already exists') ? 1 : 2)
    expect(run.stderr).toMatch(message)
  })

  it('refuses an authentication method the configuration does not enable (exit 2), and takes it once enabled', async () => {
    const flags = ['--name', 'Posting app', '--redirect-uri', 'https://post.example/cb']
    const refused = cli(['clients', 'add', ...flags, '--auth-method', 'client_secret_post'])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toContain(
      'mcp-pa: authentication method client_secret_post is not enabled on this server: authentication.client_auth_methods in the configuration allows none, client_secret_basic, private_key_jwt. Choose one of those, or add client_secret_post to authentication.client_auth_methods (and restart the server) first',
    )
    expect(refused.stdout).not.toMatch(/Client secret/)
    expect(auditTypes(refused.stderr)).toEqual([])
    expect(rawDump()).not.toContain('Posting app')

    const config = join(home, 'post-config.json')
    await writeFile(
      config,
      JSON.stringify({ authentication: { client_auth_methods: ['client_secret_post'] } }),
    )
    // The default method (none) is not enabled there: refused, naming it as the default.
    const defaulted = cli(['clients', 'add', ...flags, '--config', config])
    expect(defaulted.code).toBe(2)
    expect(defaulted.stderr).toMatch(
      /the default authentication method none is not enabled on this server: authentication\.client_auth_methods in the configuration allows client_secret_post\./,
    )
    const added = cli([
      'clients',
      'add',
      ...flags,
      '--auth-method',
      'client_secret_post',
      '--config',
      config,
    ])
    expect(added.code, added.stderr).toBe(0)
    sentinel.secret(/^Client secret: (\S+)$/m.exec(added.stdout)?.[1] ?? '')
    expect(added.stdout).toMatch(/token_endpoint_auth_method: +client_secret_post/)
  })

  it('refuses a JWKS file holding a private key, and takes the public one', async () => {
    const { publicKey, privateKey } = await generateKeyPair('ES256', { extractable: true })
    const privateFile = join(home, 'private.jwks')
    const privateJwk = await exportJWK(privateKey)
    await writeFile(privateFile, JSON.stringify({ keys: [privateJwk] }))
    const flags = [
      '--name',
      'JWT app',
      '--redirect-uri',
      'https://j.example/cb',
      '--auth-method',
      'private_key_jwt',
    ]
    const refused = cli(['clients', 'add', ...flags, '--jwks-file', privateFile])
    expect(refused.code).toBe(2)
    expect(refused.stderr).toMatch(/private or symmetric key \(it has "d"\)/)
    expect(rawDump()).not.toContain(String(privateJwk.d))

    const publicFile = join(home, 'public.jwks')
    await writeFile(publicFile, JSON.stringify({ keys: [await exportJWK(publicKey)] }))
    const added = cli(['clients', 'add', ...flags, '--jwks-file', publicFile])
    expect(added.code).toBe(0)
    expect(added.stdout).toMatch(/token_endpoint_auth_method: +private_key_jwt/)
  })

  it('revokes a client, and says when there is none', () => {
    const revoke = cli(['clients', 'revoke', 'desktop-app'])
    expect(revoke.code).toBe(0)
    expect(revoke.stdout).toMatch(/Deleted client desktop-app; revoked 0 grant/)
    expect(auditTypes(revoke.stderr)).toEqual(['as.client_revoked'])
    const again = cli(['clients', 'revoke', 'desktop-app'])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/there is no client desktop-app/)
    expect(cli(['clients', 'show', 'desktop-app']).code).toBe(1)
  })
})

describe('grants', SLOW, () => {
  it('lists grants by user and client, and revokes one with its tokens', async () => {
    const aliceId = (
      JSON.parse(cli(['users', 'list', '--json']).stdout) as Array<{ id: string; username: string }>
    ).find((u) => u.username === 'alice')?.id
    expect(aliceId).toBeDefined()
    const grantId = randomUUID()
    const token = randomBytes(32).toString('base64url')
    const storage = await openSqliteStorage({ path: database })
    try {
      const iat = Math.floor(Date.now() / 1000)
      await storage.artifacts.upsert(
        'Grant',
        grantId,
        {
          jti: grantId,
          accountId: aliceId,
          clientId: 'web-app',
          iat,
          resources: { 'https://mcp.example/mcp': 'memories:read' },
        },
        3600,
      )
      await storage.artifacts.upsert('RefreshToken', token, { jti: token, grantId }, 3600)
    } finally {
      await storage.close()
    }

    const list = cli(['grants', 'list', '--user', 'alice'])
    expect(list.code).toBe(0)
    expect(list.stdout).toMatch(/^GRANT ID +USER +CLIENT +SCOPES +CREATED +EXPIRES\n/)
    expect(list.stdout).toContain(grantId)
    expect(list.stdout).toMatch(/alice +web-app +memories:read/)
    const json = JSON.parse(cli(['grants', 'list', '--client', 'web-app', '--json']).stdout)
    expect(json).toEqual([
      expect.objectContaining({ grant_id: grantId, username: 'alice', scopes: ['memories:read'] }),
    ])
    expect(cli(['grants', 'list', '--user', 'bob']).stdout).toMatch(/No grants match/)

    const revoke = cli(['grants', 'revoke', grantId])
    expect(revoke.code).toBe(0)
    expect(revoke.stdout).toMatch(
      /Revoked grant .* \(client web-app\): 1 token\(s\) and code\(s\) deleted/,
    )
    expect(auditTypes(revoke.stderr)).toEqual(['as.token_revoked'])
    expect(cli(['grants', 'list', '--user', 'alice']).stdout).toMatch(/No grants match/)
    const again = cli(['grants', 'revoke', grantId])
    expect(again.code).toBe(1)
    expect(again.stderr).toMatch(/there is no grant/)
  })
})

describe('keys', SLOW, () => {
  it('rotates with the generated key-encryption key and lists no key material', () => {
    expect(cli(['keys', 'list']).stdout).toMatch(/No signing keys yet/)
    const first = cli(['keys', 'rotate'])
    expect(first.code).toBe(0)
    expect(first.stdout).toMatch(/New active signing key \S+ \(ES256\)/)
    expect(auditTypes(first.stderr)).toEqual(['as.key_rotated'])
    const second = cli(['keys', 'rotate', '--alg', 'EdDSA'])
    expect(second.code).toBe(0)
    expect(second.stdout).toMatch(
      /Previous key \S+ keeps verifying tokens until .* \(the 900 s token lifetime\)/,
    )

    const keys = JSON.parse(cli(['keys', 'list', '--json']).stdout) as Array<
      Record<string, unknown>
    >
    expect(keys.map((k) => [k.alg, k.state])).toEqual([
      ['EdDSA', 'active'],
      ['ES256', 'retiring'],
    ])
    expect(Object.keys(keys[0] ?? {}).sort()).toEqual(
      ['activated_at', 'alg', 'created_at', 'kid', 'retire_after', 'retired_at', 'state'].sort(),
    )
    expect(cli(['keys', 'list']).stdout).toMatch(
      /^KID +ALG +STATE +CREATED +RETIRE AFTER +RETIRED\n/,
    )
  })

  it('fails with exit 3 naming the config key when the key-encryption key is wrong or missing', () => {
    const wrong = cli(['keys', 'rotate'], {
      env: { MCP_OAUTH_KEY_ENCRYPTION_KEY: 'env:KEK', KEK: randomBytes(32).toString('base64') },
    })
    expect(wrong.code).toBe(3)
    expect(wrong.stderr).toMatch(
      /cannot decrypt signing key .*authentication\.authorization_server\.key_encryption_key/,
    )
    const unset = cli(['keys', 'rotate'], { env: { MCP_OAUTH_KEY_ENCRYPTION_KEY: 'env:NOPE' } })
    expect(unset.code).toBe(3)
    expect(unset.stderr).toMatch(/environment variable NOPE is not set/)
    expect(unset.stderr).not.toMatch(/\n\s+at /)
  })
})

// The same commands on PostgreSQL (a fresh database, dropped afterwards); skipped only on a
// developer machine without a server.
const ADMIN_URL = process.env.MCP_TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test'
async function pgAdmin(statement: string): Promise<boolean> {
  const client = new pg.Client({ connectionString: ADMIN_URL, connectionTimeoutMillis: 2000 })
  try {
    await client.connect()
    await client.query(statement)
    return true
  } catch (error) {
    if (process.env.CI) throw error
    return false
  } finally {
    await client.end().catch(() => undefined)
  }
}
const pgDatabase = `mcp_pa_admin_${randomBytes(6).toString('hex')}`
const pgAvailable = await pgAdmin(`CREATE DATABASE ${pgDatabase}`)

describe.skipIf(!pgAvailable)('on PostgreSQL', SLOW, () => {
  afterAll(() => pgAdmin(`DROP DATABASE IF EXISTS ${pgDatabase} WITH (FORCE)`))
  const url = new URL(ADMIN_URL)
  url.pathname = `/${pgDatabase}`
  const env = {
    MCP_DATABASE_TYPE: 'postgresql',
    MCP_DATABASE_URL: url.href,
    MCP_OAUTH_KEY_ENCRYPTION_KEY: 'env:KEK',
    KEK: sentinel.secret(randomBytes(32).toString('base64')),
  }

  it('administers users, clients, keys and grants', async () => {
    // client_secret_post is not among the default methods: enable it, as an operator would.
    const config = join(home, 'pg-config.json')
    await writeFile(
      config,
      JSON.stringify({
        authentication: {
          client_auth_methods: ['none', 'client_secret_basic', 'client_secret_post'],
        },
      }),
    )
    expect(cli(['users', 'add', 'pat'], { env, input: `${newPassword()}\n` }).code).toBe(0)
    expect(JSON.parse(cli(['users', 'list', '--json'], { env }).stdout)).toEqual([
      expect.objectContaining({ username: 'pat', disabled: false }),
    ])
    const add = cli(
      [
        'clients',
        'add',
        '--name',
        'PG app',
        '--redirect-uri',
        'https://pg.example/cb',
        '--auth-method',
        'client_secret_post',
        '--config',
        config,
      ],
      { env },
    )
    expect(add.code).toBe(0)
    sentinel.secret(/^Client secret: (\S+)$/m.exec(add.stdout)?.[1] ?? '')
    expect(JSON.parse(cli(['clients', 'list', '--json'], { env }).stdout)).toEqual([
      expect.objectContaining({
        client_name: 'PG app',
        token_endpoint_auth_method: 'client_secret_post',
      }),
    ])
    expect(cli(['keys', 'rotate'], { env }).code).toBe(0)
    expect(cli(['keys', 'rotate'], { env }).code).toBe(0)
    expect((JSON.parse(cli(['keys', 'list', '--json'], { env }).stdout) as unknown[]).length).toBe(
      2,
    )
    expect(cli(['grants', 'list'], { env }).stdout).toMatch(/No grants match/)
    // Without the KEK, PostgreSQL refuses to guess one.
    const { MCP_OAUTH_KEY_ENCRYPTION_KEY: _kek, ...withoutKek } = env
    const refused = cli(['keys', 'rotate'], { env: withoutKek })
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/key_encryption_key is required with PostgreSQL/)
  })
})
