import { chmod, mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, defaultConfigPath, loadConfig, writeStarterConfig } from './index.js'

let home: string
beforeEach(async () => {
  home = await mkdtemp(join(tmpdir(), 'mcp-pa-init-'))
})
afterEach(async () => {
  await rm(home, { recursive: true, force: true })
})

const mode = async (path: string) => (await stat(path)).mode & 0o777

describe('writeStarterConfig', () => {
  it.each([
    ['local', false],
    ['http', true],
  ])('writes a %s starter that loads cleanly, 0600 in 0700 directories', async (flavour, http) => {
    const previous = process.umask(0o000) // the modes must not depend on the umask
    let path: string
    try {
      path = await writeStarterConfig({ path: defaultConfigPath(home), http })
    } finally {
      process.umask(previous)
    }
    expect(path).toBe(join(home, '.config/mcp-pa/config.json'))
    expect(await mode(path)).toBe(0o600)
    expect(await mode(join(home, '.config/mcp-pa'))).toBe(0o700)
    expect(await mode(join(home, '.config'))).toBe(0o700)
    const { config, source, warnings } = await loadConfig({ env: {}, home })
    expect(source).toBe(path)
    expect(config.mode).toBe(flavour)
    expect(warnings).toEqual([])
  })

  it('the http starter shows TLS, issuer and secrets only as references', async () => {
    const path = await writeStarterConfig({ path: join(home, 'c.json'), http: true })
    const text = await readFile(path, 'utf8')
    expect(text).toContain('// "tls_cert": "/etc/mcp-pa/tls/cert.pem"')
    expect(text).toContain('// "tls_key": "env:')
    expect(text).toContain('// "issuer": "https://')
    expect(text).toContain('MCP_OAUTH_ISSUER')
    expect(text).toContain('// "authorization_server": { "key_encryption_key": "env:')
    expect(text).toContain('"connection_string": "env:MCP_DATABASE_URL"')
    expect(text).not.toMatch(/"(api_key|tls_key|connection_string)": "(?!env:|file:|gcp-sm:)/)
  })

  it('refuses to overwrite without force, and overwrites (0600 again) with it', async () => {
    const path = join(home, 'config.json')
    await writeFile(path, '{ "mode": "http" }')
    await chmod(path, 0o644)
    const error: unknown = await writeStarterConfig({ path, http: false }).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ConfigError)
    expect((error as ConfigError).format()).toBe(
      `${path}: the file already exists. Fix: use --force to overwrite it.`,
    )
    expect(await readFile(path, 'utf8')).toBe('{ "mode": "http" }')

    await writeStarterConfig({ path, http: false, force: true })
    expect(await mode(path)).toBe(0o600)
    expect(await readFile(path, 'utf8')).toContain('"mode": "local"')
  })

  it('leaves an existing directory’s mode alone', async () => {
    await chmod(home, 0o755)
    await writeStarterConfig({ path: join(home, 'c.json'), http: false })
    expect(await mode(home)).toBe(0o755)
  })
})
