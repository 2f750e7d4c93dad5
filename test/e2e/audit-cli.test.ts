import { spawnSync } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { chmod, mkdir, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { CLI } from '../helpers/spawn-client.js'

/** The built CLI (`npx tsc -p tsconfig.build.json` first), with a temp HOME and cwd. */
let root: string
let home: string
let cwd: string
beforeEach(async () => {
  root = await mkdtemp(join(tmpdir(), 'mcp-pa-audit-e2e-'))
  home = join(root, 'home')
  cwd = join(root, 'project')
  await mkdir(home, { recursive: true })
  await mkdir(cwd, { recursive: true })
})
afterEach(() => rm(root, { recursive: true, force: true }))

function audit(args: string[]) {
  const run = spawnSync(process.execPath, [CLI, 'audit', ...args], {
    cwd,
    env: { PATH: process.env.PATH ?? '', HOME: home },
    encoding: 'utf8',
    input: '',
    timeout: 20_000,
  })
  return { code: run.status, stdout: run.stdout, stderr: run.stderr }
}

/** A GitHub-token-shaped value, assembled at run time. */
const token =
  'gh' +
  'p_' +
  randomBytes(27)
    .toString('base64')
    .replace(/[^A-Za-z0-9]/g, 'x')
    .slice(0, 36)

async function cursorConfigWithSecret(): Promise<string> {
  const path = join(home, '.cursor', 'mcp.json')
  await mkdir(join(home, '.cursor'), { mode: 0o700 })
  await writeFile(
    path,
    `{\n  // my servers\n  "mcpServers": {\n    "gh": { "command": "gh-mcp", "env": { "GITHUB_TOKEN": "${token}" } }\n  }\n}\n`,
  )
  await chmod(path, 0o644)
  return path
}

describe('mcp-pa audit (built CLI)', () => {
  it('prints its help', () => {
    const run = audit(['--help'])
    expect(run.code).toBe(0)
    expect(run.stdout).toMatch(/^Usage: mcp-pa audit/)
  })

  it('exits 0 when there is nothing to report, 2 on usage errors', async () => {
    expect(audit([])).toMatchObject({ code: 0, stdout: 'No MCP client configuration found.\n' })
    expect(audit(['--format', 'xml']).code).toBe(2)
    expect(audit(['--dry-run']).code).toBe(2)
    expect(audit(['--no-discover']).code).toBe(2)
  })

  it('finds a hardcoded token in a discovered user config, masked, and exits 1', async () => {
    await cursorConfigWithSecret()
    const run = audit([])
    expect(run.code).toBe(1)
    expect(run.stdout).toContain('hardcoded-credential  4:59 mcpServers.gh.env.GITHUB_TOKEN')
    expect(run.stdout).toContain('loose-permissions')
    expect(run.stdout + run.stderr).not.toContain(token)
  })

  it('--fail-on moves the threshold', async () => {
    await writeFile(
      join(cwd, '.mcp.json'),
      JSON.stringify({ mcpServers: { a: { command: 'npx', args: ['-y', 'some-mcp'] } } }),
    )
    expect(audit([]).code).toBe(1)
    expect(audit(['--fail-on', 'error']).code).toBe(0)
  })

  it('writes SARIF 2.1.0 and JSON', async () => {
    await cursorConfigWithSecret()
    const sarif = JSON.parse(audit(['--format', 'sarif']).stdout) as any
    expect(sarif.version).toBe('2.1.0')
    expect(sarif.runs[0].results.map((r: any) => r.ruleId)).toContain('hardcoded-credential')
    const json = JSON.parse(audit(['--format', 'json']).stdout) as any
    expect(json.summary.error).toBe(1)
    expect(JSON.stringify(json)).not.toContain(token)
  })

  it('exits 2 when a named file is invalid, and reports line:column', async () => {
    await writeFile(join(cwd, 'bad.json'), '{\n  "mcpServers": {,}\n}')
    const run = audit(['bad.json', '--no-discover'])
    expect(run.code).toBe(2)
    expect(run.stdout).toMatch(/unreadable-config {2}2:18/)
  })

  it('--fix --dry-run changes nothing; --fix moves the secret and tightens the mode', async () => {
    const path = await cursorConfigWithSecret()
    const original = await readFile(path, 'utf8')
    const dry = audit(['--fix', '--dry-run'])
    expect(dry.stderr).toContain('Would change (dry run, nothing written)')
    expect(dry.stderr + dry.stdout).not.toContain(token)
    expect(await readFile(path, 'utf8')).toBe(original)

    const fixed = audit(['--fix'])
    expect(fixed.stderr).toMatch(/moved GITHUB_TOKEN to .*\.cursor\/\.env/)
    expect(fixed.stderr + fixed.stdout).not.toContain(token)
    expect(fixed.code).toBe(0)
    const after = await readFile(path, 'utf8')
    expect(after).toContain('// my servers')
    expect(after).toContain('"GITHUB_TOKEN": "${env:GITHUB_TOKEN}"')
    expect(await readFile(join(home, '.cursor', '.env'), 'utf8')).toBe(`GITHUB_TOKEN=${token}\n`)
    expect((await stat(path)).mode & 0o777).toBe(0o600)
    expect(audit([]).code).toBe(0)
  })

  it('--secrets-to keychain without @napi-rs/keyring fails clearly and changes nothing', async () => {
    const path = await cursorConfigWithSecret()
    const original = await readFile(path, 'utf8')
    const run = audit(['--fix', '--secrets-to', 'keychain'])
    expect(run.code).toBe(1)
    expect(run.stderr).toMatch(/@napi-rs\/keyring.*not installed.*Nothing was changed/)
    expect(await readFile(path, 'utf8')).toBe(original)
  })
})
