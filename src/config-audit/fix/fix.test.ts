import { execFileSync } from 'node:child_process'
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { parseDotenv } from '../load.js'
import { auditConfigs } from '../run.js'
import { fake } from '../test-support.js'
import { openKeychain, type SecretVault } from './keychain.js'
import { fixFindings } from './run-fixes.js'

let root: string
let cwd: string
let config: string
const token = fake.github()
const bearer = fake.entropy()
const stripe = fake.stripe()
const pem = fake.pem()

const TEXT = `{
  // Claude Code project servers (this comment must survive)
  "mcpServers": {
    "github": {
      "command": "npx",
      "args": ["-y", "gh-mcp@1.0.0", "--stripe-key", "${stripe}"],
      "env": { "GITHUB_TOKEN": "${token}", "SIGNING_KEY": ${JSON.stringify(pem)} }, // trailing
    },
    "api": { "url": "https://api.example/mcp", "headers": { "Authorization": "Bearer ${bearer}" } },
  },
}
`

beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'audit-fix-'))
  cwd = join(root, 'project')
  await mkdir(cwd)
  execFileSync('git', ['init', '-q', cwd])
  config = join(cwd, '.mcp.json')
  await writeFile(config, TEXT, { mode: 0o644 })
  await writeFile(join(cwd, '.env'), 'GITHUB_TOKEN=some-other-value\nKEEP=1\n', { mode: 0o600 })
})
afterEach(() => rm(root, { recursive: true, force: true }))

const audit = () => auditConfigs({ home: join(root, 'home'), cwd, platform: 'linux', env: {} })
const ids = async () => (await audit()).findings.map((f) => f.ruleId).sort()

describe('--fix', () => {
  it('--dry-run shows a masked diff and changes nothing', async () => {
    const before = await readdir(cwd)
    const [outcome] = await fixFindings(await audit(), { secretsTo: 'env', dryRun: true })
    expect(outcome?.preview).toContain('+      "env": { "GITHUB_TOKEN": "${GITHUB_TOKEN_2}"')
    expect(outcome?.preview).toContain('chmod 600 ' + config)
    for (const secret of [token, bearer, stripe, pem, 'some-other-value']) {
      expect(outcome?.preview).not.toContain(secret)
    }
    expect(await readFile(config, 'utf8')).toBe(TEXT)
    expect((await stat(config)).mode & 0o777).toBe(0o644)
    expect(await readdir(cwd)).toEqual(before)
  })

  it('moves secrets to .env, tightens modes, ignores .env, keeps comments and a backup', async () => {
    expect(await ids()).toEqual(
      expect.arrayContaining(['config-in-git', 'hardcoded-credential', 'loose-permissions']),
    )
    const [outcome] = await fixFindings(await audit(), { secretsTo: 'env', dryRun: false })
    const after = await readFile(config, 'utf8')
    expect(after).toContain('// Claude Code project servers (this comment must survive)')
    expect(after).toContain('// trailing')
    expect(after).toContain('"Authorization": "Bearer ${API_AUTHORIZATION}"')
    expect(after).toContain('"--stripe-key", "${GITHUB_STRIPE_KEY}"')
    for (const secret of [token, bearer, stripe]) expect(after).not.toContain(secret)

    const dotenv = parseDotenv(await readFile(join(cwd, '.env'), 'utf8'))
    expect(Object.fromEntries(dotenv)).toEqual({
      GITHUB_TOKEN: 'some-other-value',
      KEEP: '1',
      GITHUB_TOKEN_2: token,
      SIGNING_KEY: pem,
      API_AUTHORIZATION: bearer,
      GITHUB_STRIPE_KEY: stripe,
    })
    expect((await stat(join(cwd, '.env'))).mode & 0o777).toBe(0o600)
    expect((await stat(config)).mode & 0o777).toBe(0o600)
    expect(await readFile(join(cwd, '.gitignore'), 'utf8')).toContain('/.env\n')

    expect(outcome?.backup).toMatch(/\.mcp\.json\.bak-\d{8}T\d{6}Z$/)
    expect(await readFile(outcome?.backup ?? '', 'utf8')).toBe(TEXT)
    expect((await stat(outcome?.backup ?? '')).mode & 0o777).toBe(0o600)

    const remaining = await ids()
    for (const gone of ['hardcoded-credential', 'loose-permissions'])
      expect(remaining).not.toContain(gone)
    const git = (await audit()).findings.filter((f) => f.ruleId === 'config-in-git')
    expect(git.map((f) => f.severity)).toEqual(['note'])
    expect(remaining).not.toContain('undefined-env-reference')
  })

  it('a second run appends nothing: the same values reuse their names', async () => {
    await fixFindings(await audit(), { secretsTo: 'env', dryRun: false })
    const once = await readFile(join(cwd, '.env'), 'utf8')
    expect(await fixFindings(await audit(), { secretsTo: 'env', dryRun: false })).toEqual([])
    expect(await readFile(join(cwd, '.env'), 'utf8')).toBe(once)
  })

  it('keychain: values go to the vault, no .env is written', async () => {
    const stored = new Map<string, string>()
    const vault: SecretVault = {
      put: async (secrets) => secrets.forEach(({ name, value }) => stored.set(name, value)),
      remove: async () => undefined,
    }
    await rm(join(cwd, '.env'))
    await fixFindings(await audit(), { secretsTo: 'keychain', dryRun: false, vault })
    expect(stored.get('GITHUB_TOKEN')).toBe(token)
    expect(stored.size).toBe(4)
    await expect(stat(join(cwd, '.env'))).rejects.toThrow(/ENOENT/)
    expect(await readFile(config, 'utf8')).toContain('"${GITHUB_TOKEN}"')
  })

  it('restores everything when storing fails, and the error names no secret', async () => {
    const vault: SecretVault = {
      put: async () => {
        throw new Error('keychain locked')
      },
      remove: async () => undefined,
    }
    const error = await fixFindings(await audit(), {
      secretsTo: 'keychain',
      dryRun: false,
      vault,
    }).catch((e: unknown) => e as Error)
    expect(String(error)).toMatch(/could not fix .*nothing was changed/)
    expect(String(error)).not.toContain(token)
    expect(await readFile(config, 'utf8')).toBe(TEXT)
    expect(await readFile(join(cwd, '.env'), 'utf8')).toBe(
      'GITHUB_TOKEN=some-other-value\nKEEP=1\n',
    )
  })

  it('keychain without @napi-rs/keyring fails with a clear message', async () => {
    await expect(openKeychain()).rejects.toThrow(
      /@napi-rs\/keyring.*not installed.*Nothing was changed/,
    )
  })
})
