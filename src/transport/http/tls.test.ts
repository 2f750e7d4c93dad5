import { X509Certificate } from 'node:crypto'
import { mkdir, readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { inspect } from 'node:util'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ConfigError, isConfigError, resolveSecret, Secret } from '../../config/index.js'
import { loadTlsMaterial, TlsConfigError, type LoadTlsMaterialOptions } from './tls.js'
import { CertFactory, type CertPair } from './tls-test-support.js'

const DAY = 24 * 60 * 60 * 1000
const CERT_FIX = 'point server.tls_cert (MCP_TLS_CERT) at a readable PEM certificate chain file'

let certs: CertFactory
let valid: CertPair
let other: CertPair
let expired: CertPair
let future: CertPair
let soon: CertPair
let noSan: CertPair
let weak: CertPair
let lone: string
let encrypted: string
let validKey: string
let validTo: Date

/** The error line `ConfigError` formats: `<source>: <field>: <problem>. Fix: <fix>.` */
function line(source: string, field: string, problem: string, fix: string): string {
  return `${source}: ${field}: ${problem}. Fix: ${fix}.`
}

function fromFile(path: string): () => Promise<string> {
  return () => readFile(path, 'utf8')
}

/** The base64 body lines of a PEM key: none may appear in any error. */
function keyLines(pem: string): string[] {
  return pem.split('\n').filter((row) => row.length > 0 && !row.startsWith('-----'))
}

beforeAll(async () => {
  certs = await CertFactory.create()
  ;[valid, other, expired, future, soon, noSan, weak] = await Promise.all([
    certs.selfSigned('valid', 30),
    certs.selfSigned('other', 30, { cn: 'other.test', san: 'DNS:other.test' }),
    certs.withDates('expired', '20200101000000Z', '20210101000000Z'),
    certs.withDates('future', '20990101000000Z', '20991231000000Z'),
    certs.selfSigned('soon', 3),
    certs.selfSigned('nosan', 30, { san: null }),
    certs.selfSigned('weak', 30, { newkey: ['-newkey', 'rsa:1024'] }),
  ])
  lone = await certs.key('lone')
  encrypted = await certs.encrypted(valid.key, 'encrypted')
  validKey = await readFile(valid.key, 'utf8')
  validTo = new Date(new X509Certificate(await readFile(valid.cert)).validTo)
})

afterAll(async () => {
  await certs.remove()
})

describe('loadTlsMaterial: a good certificate and key', () => {
  it('returns the chain, the key as a Secret, the leaf and no warnings', async () => {
    const material = await loadTlsMaterial({ certPath: valid.cert, key: fromFile(valid.key) })
    const leaf = new X509Certificate(await readFile(valid.cert))
    expect(material.warnings).toEqual([])
    expect(material.cert).toBe(`${(await readFile(valid.cert, 'utf8')).trim()}\n`)
    expect(material.key).toBeInstanceOf(Secret)
    expect(material.key.reveal()).toBe(validKey)
    expect(material.leaf).toEqual({
      subject: 'CN=localhost',
      issuer: 'CN=localhost',
      validFrom: new Date(leaf.validFrom),
      validTo: new Date(leaf.validTo),
      fingerprint256: leaf.fingerprint256,
      subjectAltName: 'DNS:localhost, IP Address:127.0.0.1',
    })
    expect(material.leaf.validTo.getTime() - Date.now()).toBeGreaterThan(29 * DAY)
  })

  it('never renders the key: inspect, JSON and String print [redacted]', async () => {
    const material = await loadTlsMaterial({ certPath: valid.cert, key: fromFile(valid.key) })
    for (const rendered of [inspect(material, { depth: 5 }), JSON.stringify(material)]) {
      expect(rendered).toContain('[redacted]')
      for (const row of keyLines(validKey)) expect(rendered).not.toContain(row)
    }
  })

  it('takes the key from a file: reference through resolveSecret', async () => {
    const ref = `file:${valid.key}`
    const material = await loadTlsMaterial({
      certPath: valid.cert,
      key: () => resolveSecret(ref, { env: {}, field: 'server.tls_key' }),
      keySource: ref,
    })
    expect(material.key.reveal()).toBe(validKey.replace(/\n$/, ''))
  })

  it('passes a secret reference error through unchanged', async () => {
    const error = await loadTlsMaterial({
      certPath: valid.cert,
      key: () => resolveSecret('env:MISSING_TLS_KEY', { env: {}, field: 'server.tls_key' }),
    }).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(ConfigError)
    expect(error).not.toBeInstanceOf(TlsConfigError)
    expect((error as Error).message).toBe(
      'env:MISSING_TLS_KEY: server.tls_key: environment variable MISSING_TLS_KEY is not set. Fix: set MISSING_TLS_KEY.',
    )
  })

  it('serves only the certificates of a file that also holds the key, with a warning', async () => {
    const combined = await certs.file(
      'combined.pem',
      `${await readFile(valid.cert, 'utf8')}${validKey}`,
    )
    const material = await loadTlsMaterial({ certPath: combined, key: fromFile(valid.key) })
    expect(material.cert).not.toContain('PRIVATE KEY')
    expect(material.warnings).toEqual([
      `${combined}: server.tls_cert: the file also holds a private key, which the server ignores. Keep the key only in server.tls_key, in a file only the server user can read.`,
    ])
  })

  it('warns about a certificate without subjectAltName', async () => {
    const material = await loadTlsMaterial({ certPath: noSan.cert, key: fromFile(noSan.key) })
    expect(material.warnings).toEqual([
      `${noSan.cert}: server.tls_cert: the certificate (subject CN=localhost) has no subjectAltName, and clients ignore the CN. Re-issue it with the server's host names in subjectAltName.`,
    ])
  })
})

describe('loadTlsMaterial: expiry', () => {
  it('warns, without failing, about a certificate that expires in 3 days', async () => {
    const material = await loadTlsMaterial({ certPath: soon.cert, key: fromFile(soon.key) })
    expect(material.warnings).toHaveLength(1)
    expect(material.warnings[0]).toMatch(
      new RegExp(
        `^${soon.cert}: server\\.tls_cert: the certificate \\(subject CN=localhost\\) expires on \\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z, in 2 days\\. Renew it and send the server SIGHUP\\.$`,
      ),
    )
  })

  const clock: [string, number, number, string | undefined][] = [
    ['15 days left, warning from 14', 15 * DAY, 14, undefined],
    ['exactly 14 days left', 14 * DAY, 14, 'in 14 days'],
    ['one day and an hour left', DAY + 3_600_000, 14, 'in 1 day'],
    ['an hour left', 3_600_000, 14, 'in less than a day'],
    ['20 days left, warning from 30', 20 * DAY, 30, 'in 20 days'],
  ]
  it.each(clock)('%s', async (_name, left, expiryWarningDays, expected) => {
    const material = await loadTlsMaterial({
      certPath: valid.cert,
      key: fromFile(valid.key),
      now: new Date(validTo.getTime() - left),
      expiryWarningDays,
    })
    if (expected === undefined) expect(material.warnings).toEqual([])
    else {
      expect(material.warnings).toEqual([
        `${valid.cert}: server.tls_cert: the certificate (subject CN=localhost) expires on ${validTo.toISOString()}, ${expected}. Renew it and send the server SIGHUP.`,
      ])
    }
  })

  it('refuses the certificate at the moment it expires', async () => {
    const error = await loadTlsMaterial({
      certPath: valid.cert,
      key: fromFile(valid.key),
      now: validTo,
    }).catch((caught: unknown) => caught)
    expect((error as Error).message).toBe(
      line(
        valid.cert,
        'server.tls_cert',
        `the certificate (subject CN=localhost) expired on ${validTo.toISOString()}`,
        'renew it, then restart the server or send it SIGHUP',
      ),
    )
  })
})

/** Each case: what to load, and the exact message. */
type Case = [string, () => Promise<LoadTlsMaterialOptions>, () => string]

const cases: Case[] = [
  [
    'a missing certificate file',
    async () => ({ certPath: join(certs.dir, 'absent.crt'), key: fromFile(valid.key) }),
    () =>
      line(
        join(certs.dir, 'absent.crt'),
        'server.tls_cert',
        'file not found (ENOENT)',
        'point server.tls_cert (MCP_TLS_CERT) at a PEM certificate chain file the server user can read',
      ),
  ],
  [
    'a directory for the certificate',
    async () => {
      await mkdir(join(certs.dir, 'folder'), { recursive: true })
      return { certPath: join(certs.dir, 'folder'), key: fromFile(valid.key) }
    },
    () =>
      line(
        join(certs.dir, 'folder'),
        'server.tls_cert',
        'cannot read the file (EISDIR)',
        'point server.tls_cert (MCP_TLS_CERT) at a PEM certificate chain file the server user can read',
      ),
  ],
  [
    'a certificate file that is not PEM',
    async () => ({ certPath: await certs.file('text.crt', 'hello\n'), key: fromFile(valid.key) }),
    () =>
      line(
        join(certs.dir, 'text.crt'),
        'server.tls_cert',
        'the file does not hold a PEM certificate (no -----BEGIN CERTIFICATE----- block)',
        `${CERT_FIX}, the server certificate first, then its intermediates`,
      ),
  ],
  [
    'the key file given as the certificate',
    async () => ({ certPath: valid.key, key: fromFile(valid.key) }),
    () =>
      line(
        valid.key,
        'server.tls_cert',
        'the file does not hold a PEM certificate (no -----BEGIN CERTIFICATE----- block)',
        `${CERT_FIX}, the server certificate first, then its intermediates`,
      ),
  ],
  [
    'a damaged certificate block',
    async () => ({
      certPath: await certs.file(
        'damaged.crt',
        '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n',
      ),
      key: fromFile(valid.key),
    }),
    () =>
      line(
        join(certs.dir, 'damaged.crt'),
        'server.tls_cert',
        'certificate 1 of the file is not a valid X.509 certificate',
        `${CERT_FIX}; re-export it from your certificate authority`,
      ),
  ],
  [
    'a key that is not PEM',
    async () => ({ certPath: valid.cert, key: () => 'not a key' }),
    () =>
      line(
        'TLS key',
        'server.tls_key',
        'server.tls_key does not hold a PEM private key',
        'point server.tls_key (MCP_TLS_KEY) at the PEM private key (-----BEGIN PRIVATE KEY-----) of the certificate',
      ),
  ],
  [
    'the certificate given as the key, named by its reference',
    async () => ({
      certPath: valid.cert,
      key: fromFile(valid.cert),
      keySource: `file:${valid.cert}`,
    }),
    () =>
      line(
        `file:${valid.cert}`,
        'server.tls_key',
        'server.tls_key does not hold a PEM private key',
        'point server.tls_key (MCP_TLS_KEY) at the PEM private key (-----BEGIN PRIVATE KEY-----) of the certificate',
      ),
  ],
  [
    'an encrypted key',
    async () => ({ certPath: valid.cert, key: fromFile(encrypted) }),
    () =>
      line(
        'TLS key',
        'server.tls_key',
        'server.tls_key holds an encrypted private key, and the server has no passphrase for it',
        'store it unencrypted in a file only the server user can read (openssl pkey -in enc.pem -out key.pem; chmod 600 key.pem)',
      ),
  ],
  [
    'a key that belongs to no certificate here',
    async () => ({ certPath: valid.cert, key: fromFile(lone) }),
    () =>
      line(
        valid.cert,
        'server.tls_key',
        'the private key in server.tls_key does not belong to the certificate in server.tls_cert (subject CN=localhost)',
        'set server.tls_key to the key the certificate was issued for, or server.tls_cert to the certificate of this key',
      ),
  ],
  [
    "another certificate's key",
    async () => ({ certPath: valid.cert, key: fromFile(other.key) }),
    () =>
      line(
        valid.cert,
        'server.tls_key',
        'the private key in server.tls_key does not belong to the certificate in server.tls_cert (subject CN=localhost)',
        'set server.tls_key to the key the certificate was issued for, or server.tls_cert to the certificate of this key',
      ),
  ],
  [
    'a chain with the server certificate last',
    async () => ({
      certPath: await certs.file(
        'reversed.pem',
        (await readFile(other.cert, 'utf8')) + (await readFile(valid.cert, 'utf8')),
      ),
      key: fromFile(valid.key),
    }),
    () =>
      line(
        join(certs.dir, 'reversed.pem'),
        'server.tls_cert',
        'the private key in server.tls_key belongs to a later certificate of server.tls_cert, not to the first one (subject CN=other.test)',
        'put the server certificate first in the file, then its intermediates',
      ),
  ],
  [
    'an expired certificate',
    async () => ({ certPath: expired.cert, key: fromFile(expired.key) }),
    () =>
      line(
        expired.cert,
        'server.tls_cert',
        'the certificate (subject CN=localhost) expired on 2021-01-01T00:00:00.000Z',
        'renew it, then restart the server or send it SIGHUP',
      ),
  ],
  [
    'a certificate that is not valid yet',
    async () => ({ certPath: future.cert, key: fromFile(future.key) }),
    () =>
      line(
        future.cert,
        'server.tls_cert',
        'the certificate (subject CN=localhost) is not valid before 2099-01-01T00:00:00.000Z',
        'check the system clock, or use a certificate that is valid now',
      ),
  ],
  [
    'a 1024-bit RSA key',
    async () => ({ certPath: weak.cert, key: fromFile(weak.key) }),
    () =>
      line(
        weak.cert,
        'server.tls_cert',
        'OpenSSL refuses the certificate or its key as too weak (ERR_SSL_EE_KEY_TOO_SMALL)',
        'use an EC P-256 key, or RSA of at least 2048 bits, signed with SHA-256 or better',
      ),
  ],
]

describe('loadTlsMaterial refuses, saying what to fix', () => {
  it.each(cases)('%s', async (_name, options, message) => {
    const loaded = await options()
    const error = await loadTlsMaterial(loaded).catch((caught: unknown) => caught)
    expect(error).toBeInstanceOf(TlsConfigError)
    expect(isConfigError(error)).toBe(true)
    expect((error as TlsConfigError).message).toBe(message())
    expect((error as TlsConfigError).issues[0]?.path).toBe((error as TlsConfigError).field)
    // No error shows any key: not its message, not its inspection (with cause and stack).
    const rendered = `${String(error)}\n${inspect(error, { depth: 5 })}`
    expect(rendered).not.toMatch(/-----BEGIN [A-Z ]*PRIVATE KEY-----\r?\n/)
    const keyText = await loaded.key()
    const keys = [validKey, typeof keyText === 'string' ? keyText : keyText.reveal()]
    for (const row of keys.flatMap(keyLines)) expect(rendered).not.toContain(row)
  })
})
