import { spawnSync } from 'node:child_process'
import { readFile, stat, writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { randomBytes } from 'node:crypto'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLI, tempHome } from '../helpers/spawn-client.js'

let home: string
let cleanup: () => Promise<void>
beforeEach(async () => ({ home, cleanup } = await tempHome()))
afterEach(() => cleanup())

function cli(args: string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [CLI, ...args], {
    env: { PATH: process.env.PATH ?? '', HOME: home, ...env },
    encoding: 'utf8',
    input: '',
    timeout: 20_000,
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

describe('mcp-pa CLI', () => {
  it('prints its version', async () => {
    const pkg = JSON.parse(
      await readFile(join(import.meta.dirname, '../../package.json'), 'utf8'),
    ) as { version: string }
    expect(cli(['--version'])).toMatchObject({ code: 0, stdout: `${pkg.version}\n` })
  })

  it.each([
    [['--help']],
    [['serve', '--help']],
    [['init', '--help']],
    [['config', 'check', '--help']],
  ])('answers %j with help and exit 0', (args) => {
    const run = cli(args)
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^(Usage|mcp-pa)/)
  })

  it.each([
    [['frobnicate'], /unknown command "frobnicate"/],
    [['serve', '--colour'], /Unknown option '--colour'[\s\S]*mcp-pa serve --help/],
    [['config', 'edit'], /unknown subcommand "config edit"/],
    [[], /Usage: mcp-pa <command>/],
  ])('answers %j with a usage error (exit 2)', (args, message) => {
    const run = cli(args)
    expect(run.code).toBe(2)
    expect(run.stdout + run.stderr).toMatch(message)
  })

  it('init writes a commented config 0600 in a 0700 directory, refuses to overwrite, and config check accepts it', async () => {
    const first = cli(['init'])
    expect(first.code).toBe(0)
    const path = join(home, '.config/mcp-pa/config.json')
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect((await stat(join(home, '.config/mcp-pa'))).mode & 0o777).toBe(0o700)
    expect(await readFile(path, 'utf8')).toContain('//')

    const again = cli(['init'])
    expect(again.code).not.toBe(0)
    expect(again.stderr).toMatch(/--force/)

    const check = cli(['config', 'check'])
    expect(check.code).toBe(0)
    expect(JSON.parse(check.stdout)).toMatchObject({ mode: 'local', database: { type: 'sqlite' } })
  })

  it('init --http writes an HTTP configuration with references, never secret values', async () => {
    const path = join(home, 'http.json')
    expect(cli(['init', '--http', '--config', path]).code).toBe(0)
    const text = await readFile(path, 'utf8')
    expect(text).toMatch(/"mode": "http"/)
    expect(text).not.toMatch(/BEGIN|password=/i)
  })

  it('config check never prints a database password', () => {
    const password = randomBytes(12).toString('hex')
    const run = cli(['config', 'check'], {
      MCP_DATABASE_URL: `postgres://me:${password}@db.example/x`,
    })
    expect(run.code).toBe(0)
    expect(run.stdout + run.stderr).not.toContain(password)
    expect(JSON.parse(run.stdout).database.type).toBe('postgresql')
  })

  it.each([
    ['a bad value', '{ "database": { "pool_size": "ten" } }', /database\.pool_size/],
    ['an unknown key', '{ "databse": {} }', /databse/],
    ['broken JSON', '{ "mode": ', /bad\.json:1:\d+: invalid JSON/],
  ])('fails on %s with exit 3 naming the key and the fix', async (_label, content, message) => {
    const path = join(home, 'bad.json')
    await writeFile(path, content, { mode: 0o600 })
    for (const command of [
      ['config', 'check', '--config', path],
      ['serve', '--config', path],
    ]) {
      const run = cli(command)
      expect(run.code).toBe(3)
      expect(run.stderr).toMatch(message)
      expect(run.stderr).not.toMatch(/\n\s+at /)
    }
  })

  it('refuses to start the built-in authorization server when its key-encryption key does not resolve, naming the variable', () => {
    const run = cli(['serve'], {
      MCP_MODE: 'http',
      MCP_OAUTH_KEY_ENCRYPTION_KEY: 'env:MCP_PA_TEST_UNSET_KEK',
    })
    expect(run.code).toBe(3)
    expect(run.stderr).toMatch(/MCP_PA_TEST_UNSET_KEK/)
    expect(run.stderr).not.toMatch(/\n\s+at /)
  })

  it('reports an unreachable PostgreSQL as a failure (exit 1) without the password', () => {
    const password = randomBytes(12).toString('hex')
    const run = cli(['serve'], {
      MCP_DATABASE_TYPE: 'postgresql',
      MCP_DATABASE_URL: `postgres://me:${password}@127.0.0.1:1/none`,
    })
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/cannot open the postgresql database/)
    expect(run.stderr).not.toContain(password)
  })
})
