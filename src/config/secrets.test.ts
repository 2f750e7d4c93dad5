import { randomBytes } from 'node:crypto'
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { ConfigError, resolveSecret, SecretCache } from './index.js'
import type { GcpSecretClient } from './index.js'

const newValue = () => `v-${randomBytes(16).toString('hex')}`

async function rejection(promise: Promise<unknown>): Promise<ConfigError> {
  const error: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  )
  expect(error).toBeInstanceOf(ConfigError)
  return error as ConfigError
}

describe('resolveSecret env:', () => {
  it('reads the variable', async () => {
    const value = newValue()
    const secret = await resolveSecret('env:MY_KEY', { env: { MY_KEY: value } })
    expect(secret.reveal()).toBe(value)
  })

  it.each([[{}], [{ MY_KEY: '' }]])(
    'a missing variable is an error naming it (%j)',
    async (env) => {
      const error = await rejection(
        resolveSecret('env:MY_KEY', { env, field: 'embeddings.api_key' }),
      )
      expect(error.format()).toBe(
        'env:MY_KEY: embeddings.api_key: environment variable MY_KEY is not set. Fix: set MY_KEY.',
      )
    },
  )
})

describe('resolveSecret file:', () => {
  let dir: string
  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mcp-pa-secrets-'))
  })
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true })
  })

  async function secretFile(contents: string, mode: number): Promise<string> {
    const path = join(dir, 'secret.txt')
    await writeFile(path, contents)
    await chmod(path, mode) // explicit, whatever the umask
    return path
  }

  it.each([
    ['one trailing newline is dropped', '\n', ''],
    ['a CRLF is dropped', '\r\n', ''],
    ['only one newline is dropped', '\n\n', '\n'],
    ['no newline', '', ''],
  ])('0600 is accepted; %s', async (_name, suffix, kept) => {
    const value = newValue()
    const path = await secretFile(value + suffix, 0o600)
    expect((await resolveSecret(`file:${path}`, { env: {} })).reveal()).toBe(value + kept)
  })

  const octal = (modes: number[]) => modes.map((mode) => [mode.toString(8), mode] as const)

  it.each(octal([0o400, 0o600, 0o700]))('mode %s (owner only) is accepted', async (_name, mode) => {
    const value = newValue()
    const path = await secretFile(value, mode)
    expect((await resolveSecret(`file:${path}`, { env: {} })).reveal()).toBe(value)
  })

  it.each(octal([0o644, 0o640, 0o604, 0o660, 0o610, 0o601]))(
    'mode %s is refused with the chmod fix, without the value',
    async (_name, mode) => {
      const value = newValue()
      const path = await secretFile(value, mode)
      const error = await rejection(resolveSecret(`file:${path}`, { env: {} }))
      const octal = mode.toString(8).padStart(4, '0')
      expect(error.issues[0]?.problem).toBe(
        `${path} is accessible by group or others (mode ${octal})`,
      )
      expect(error.issues[0]?.fix).toBe(`chmod 600 ${path}`)
      expect(error.format()).not.toContain(value)
    },
  )

  it('a missing file is an error with the path', async () => {
    const path = join(dir, 'absent.pem')
    const error = await rejection(resolveSecret(`file:${path}`, { env: {} }))
    expect(error.issues[0]?.problem).toBe(`file not found: ${path}`)
  })
})

describe('resolveSecret other values', () => {
  it('refuses a literal without echoing it', async () => {
    const value = newValue()
    const error = await rejection(resolveSecret(value, { env: {} }))
    expect(error.format()).not.toContain(value)
    expect(error.issues[0]?.problem).toBe('not a secret reference')
  })

  it('passes a PostgreSQL URL without a password through', async () => {
    const url = 'postgres://app@db.internal:5432/mcp'
    expect((await resolveSecret(url, { env: {} })).reveal()).toBe(url)
  })

  it('refuses a PostgreSQL URL with a password, without echoing it', async () => {
    const password = newValue()
    const error = await rejection(resolveSecret(`postgres://app:${password}@db/mcp`, { env: {} }))
    expect(error.format()).not.toContain(password)
  })
})

// Google Secret Manager cannot run on this machine (no credentials, no network, and the
// optional package is not installed), so these tests inject a fake client through
// gcpClientFactory; only the absent-package path runs the real dynamic import.
describe('resolveSecret gcp-sm://', () => {
  function fakeGcp() {
    const calls: string[] = []
    let counter = 0
    const client: GcpSecretClient = {
      accessSecretVersion: ({ name }) => {
        calls.push(name)
        counter += 1
        return Promise.resolve([{ payload: { data: Buffer.from(`value-${counter}`) } }])
      },
    }
    return { calls, factory: () => client }
  }

  it.each([
    ['gcp-sm://projects/p1/secrets/db-url', 'projects/p1/secrets/db-url/versions/latest'],
    ['gcp-sm://projects/p1/secrets/db-url/versions/7', 'projects/p1/secrets/db-url/versions/7'],
  ])('%s reads %s', async (ref, resource) => {
    const { calls, factory } = fakeGcp()
    const secret = await resolveSecret(ref, {
      env: {},
      gcpClientFactory: factory,
      cache: new SecretCache(),
    })
    expect(secret.reveal()).toBe('value-1')
    expect(calls).toEqual([resource])
  })

  it('caches within the TTL and refreshes after it', async () => {
    const { calls, factory } = fakeGcp()
    let now = 1_000_000
    const options = {
      env: {},
      gcpClientFactory: factory,
      cache: new SecretCache(),
      now: () => now,
      ttlSeconds: 60,
    }
    const ref = 'gcp-sm://projects/p/secrets/s'
    expect((await resolveSecret(ref, options)).reveal()).toBe('value-1')
    now += 59_999
    expect((await resolveSecret(ref, options)).reveal()).toBe('value-1')
    expect(calls).toHaveLength(1)
    now += 1
    expect((await resolveSecret(ref, options)).reveal()).toBe('value-2')
    expect(calls).toHaveLength(2)
  })

  it('does not cache a failure', async () => {
    let fail = true
    const client: GcpSecretClient = {
      accessSecretVersion: () =>
        fail
          ? Promise.reject(new Error('7 PERMISSION_DENIED: denied'))
          : Promise.resolve([{ payload: { data: 'ok' } }]),
    }
    const options = { env: {}, gcpClientFactory: () => client, cache: new SecretCache() }
    const ref = 'gcp-sm://projects/p/secrets/s'
    const error = await rejection(resolveSecret(ref, options))
    expect(error.issues[0]?.problem).toContain('PERMISSION_DENIED')
    fail = false
    expect((await resolveSecret(ref, options)).reveal()).toBe('ok')
  })

  it('without the optional package, says how to install it', async () => {
    const error = await rejection(
      resolveSecret('gcp-sm://projects/p/secrets/s', { env: {}, cache: new SecretCache() }),
    )
    expect(error.format()).toBe(
      'gcp-sm://projects/p/secrets/s: the optional package @google-cloud/secret-manager is missing or failed to load. Fix: npm install @google-cloud/secret-manager to use gcp-sm references.',
    )
  })
})
