import { X509Certificate } from 'node:crypto'
import { chmod, readFile, writeFile } from 'node:fs/promises'
import { get as httpGet } from 'node:http'
import { request as httpsRequest } from 'node:https'
import type { IncomingHttpHeaders } from 'node:http'
import type { TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CertFactory, type CertPair } from '../../src/transport/http/tls-test-support.js'
import {
  freePort,
  runServeToExit,
  spawnHttpServer,
  type SpawnedHttpServer,
} from '../helpers/http-server.js'
import { logSentinel } from '../helpers/log-sentinel.js'
import { tempHome } from '../helpers/spawn-client.js'
import { startTestIdp, type TestIdp } from '../support/oidc-idp.js'

/**
 * HTTPS from a certificate and key on disk (MCP_TLS_CERT / MCP_TLS_KEY), certificate rotation
 * on SIGHUP in the real process, and the configurations the server refuses to start with: plain
 * HTTP on a public address, a key that is not the certificate's, an expired certificate.
 * Certificates are made at test time in a private temporary directory.
 */

const sentinel = logSentinel(import.meta.filename)
const NO_STACK = /\n\s+at /

let idp: TestIdp
let certs: CertFactory
let home: string
let cleanup: () => Promise<void>

beforeAll(async () => {
  idp = await startTestIdp()
  certs = await CertFactory.create()
  ;({ home, cleanup } = await tempHome())
})
afterAll(async () => {
  await idp?.close()
  await certs?.remove()
  await cleanup?.()
  sentinel.assertClean()
})

const viaEnv = () => ({ MCP_OAUTH_PROVIDER: 'external', MCP_OAUTH_ISSUER: idp.issuer })
const tlsEnv = (pair: CertPair) => ({ MCP_TLS_CERT: pair.cert, MCP_TLS_KEY: pair.key })

/**
 * Records a private key's base64 lines as secrets (one per line: the whole-run sentinel reads
 * secrets line by line, and the PEM armour lines are public text).
 */
async function recordKey(path: string): Promise<string> {
  const pem = await readFile(path, 'utf8')
  for (const line of pem.split('\n'))
    if (line !== '' && !line.startsWith('-----')) sentinel.secret(line)
  return path
}

/** A certificate pair with both files 0600; the key is recorded as a secret. */
async function pair(name: string, days = 30): Promise<CertPair> {
  const made = await certs.selfSigned(name, days)
  await chmod(made.cert, 0o600)
  await recordKey(made.key)
  return made
}

/** A lone private key (belongs to no certificate), recorded as a secret. */
async function strayKey(name: string): Promise<string> {
  return recordKey(await certs.key(name))
}

const fingerprintOf = async (cert: string) =>
  new X509Certificate(await readFile(cert)).fingerprint256

interface TlsAnswer {
  status: number
  headers: IncomingHttpHeaders
  body: string
  fingerprint: string
}

/** GET over HTTPS on a fresh connection, trusting only `ca`. */
function httpsGet(url: string, ca: string): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { ca, agent: false })
    req.on('error', reject)
    req.on('response', (res) => {
      const fingerprint = (res.socket as TLSSocket).getPeerCertificate().fingerprint256
      let body = ''
      res.setEncoding('utf8')
      res.on('data', (chunk: string) => (body += chunk))
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, fingerprint }),
      )
    })
    req.end()
  })
}

async function untilLogged(server: SpawnedHttpServer, text: string, times: number) {
  const deadline = Date.now() + 10_000
  while (server.stderr().split(text).length - 1 < times) {
    if (Date.now() > deadline) throw new Error(`never logged ${text}:\n${server.stderr()}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('HTTPS from MCP_TLS_CERT / MCP_TLS_KEY', () => {
  let server: SpawnedHttpServer
  let first: CertPair
  let ca: string
  let firstFingerprint: string
  beforeAll(async () => {
    first = await pair('first')
    ca = await readFile(first.cert, 'utf8')
    firstFingerprint = await fingerprintOf(first.cert)
    server = await spawnHttpServer({
      home,
      env: { ...viaEnv(), ...tlsEnv(first) },
      onLog: (text) => sentinel.log(text),
    })
  })
  afterAll(async () => {
    expect(await server?.stop()).toBe(0)
  })

  it('serves /healthz over TLS with the certificate from the file, and HSTS', async () => {
    expect(server.url).toMatch(/^https:\/\/127\.0\.0\.1:\d+\/mcp$/)
    const health = await httpsGet(`${server.origin}/healthz`, ca)
    expect(health.status).toBe(200)
    expect(JSON.parse(health.body)).toEqual({ status: 'ok' })
    expect(health.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains')
    expect(health.fingerprint).toBe(firstFingerprint)
  })

  it('publishes the https URL as the resource of its protected resource metadata', async () => {
    const prm = await httpsGet(`${server.origin}/.well-known/oauth-protected-resource/mcp`, ca)
    expect(prm.status).toBe(200)
    expect(prm.headers['strict-transport-security']).toBe('max-age=63072000; includeSubDomains')
    expect(JSON.parse(prm.body)).toMatchObject({
      resource: server.url,
      authorization_servers: [idp.issuer],
    })
  })

  it('does not answer plain HTTP on the TLS port', async () => {
    const outcome = await new Promise<string>((resolve) => {
      const req = httpGet(`${server.origin.replace('https:', 'http:')}/healthz`, { agent: false })
      req.on('response', (res) => resolve(`HTTP ${res.statusCode}`))
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message))
    })
    expect(outcome).toBe('ECONNRESET')
  })

  it('SIGHUP loads a new certificate from the same files; a broken one keeps the current', async () => {
    const next = await pair('next')
    await writeFile(first.cert, await readFile(next.cert))
    await writeFile(first.key, await readFile(next.key))
    process.kill(server.pid, 'SIGHUP')
    await untilLogged(server, '"msg":"TLS certificate reloaded"', 1)
    const nextCa = await readFile(next.cert, 'utf8')
    const rotated = await httpsGet(`${server.origin}/healthz`, nextCa)
    expect(rotated.status).toBe(200)
    expect(rotated.fingerprint).toBe(await fingerprintOf(next.cert))
    expect(rotated.fingerprint).not.toBe(firstFingerprint)
    await expect(httpsGet(`${server.origin}/healthz`, ca)).rejects.toMatchObject({
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    })

    // A key that is not the certificate's: the reload fails and the previous context stays.
    await writeFile(first.key, await readFile(await strayKey('stray')))
    process.kill(server.pid, 'SIGHUP')
    await untilLogged(server, 'TLS certificate reload failed; still serving the previous', 1)
    expect(server.stderr()).toContain(
      'the private key in server.tls_key does not belong to the certificate in server.tls_cert (subject CN=localhost)',
    )
    const kept = await httpsGet(`${server.origin}/healthz`, nextCa)
    expect(kept.fingerprint).toBe(await fingerprintOf(next.cert))
  })
})

describe('refusals at start (exit code 3, a message that says the fix, no stack trace)', () => {
  const refuse = async (args: string[], env: Record<string, string>) => {
    const port = String(await freePort())
    const result = await runServeToExit({
      home,
      args: ['--http', ...args, '--port', port],
      env: { ...viaEnv(), ...env },
      onLog: (text) => sentinel.log(text),
    })
    expect(result.stderr).not.toMatch(NO_STACK)
    expect(result.stderr).not.toContain('endpoint:')
    return result
  }

  it('plain HTTP on 0.0.0.0', async () => {
    const { code, stderr } = await refuse(['--host', '0.0.0.0'], {})
    expect(code).toBe(3)
    expect(stderr).toBe(
      'mcp-pa: environment: server.tls_required: server.host "0.0.0.0" is not a loopback address and TLS is required, but no certificate and key are set. Fix: either set MCP_TLS_CERT and MCP_TLS_KEY (server.tls_cert, server.tls_key), or run behind a proxy that terminates TLS and set server.trust_proxy to true (MCP_TRUST_PROXY=1), or listen on 127.0.0.1.\n' +
        'environment: server.public_url: server.host "0.0.0.0" is not a loopback address, so the URL clients connect to (the resource and token audience) cannot be derived from it. Fix: set server.public_url (MCP_PUBLIC_URL) to the https URL clients use, e.g. https://mcp.example.com.\n',
    )
  })

  it('a key that does not belong to the certificate', async () => {
    const cert = await pair('mismatch')
    const stray = await strayKey('mismatch-stray')
    const { code, stderr } = await refuse(['--host', '127.0.0.1'], {
      MCP_TLS_CERT: cert.cert,
      MCP_TLS_KEY: stray,
    })
    expect(code).toBe(3)
    expect(stderr).toBe(
      `mcp-pa: ${cert.cert}: server.tls_key: the private key in server.tls_key does not belong to the certificate in server.tls_cert (subject CN=localhost). Fix: set server.tls_key to the key the certificate was issued for, or server.tls_cert to the certificate of this key.\n`,
    )
  })

  it('an expired certificate', async () => {
    const expired = await certs.withDates('expired', '20200101000000Z', '20210101000000Z')
    await recordKey(expired.key)
    const { code, stderr } = await refuse(['--host', '127.0.0.1'], tlsEnv(expired))
    expect(code).toBe(3)
    expect(stderr).toBe(
      `mcp-pa: ${expired.cert}: server.tls_cert: the certificate (subject CN=localhost) expired on 2021-01-01T00:00:00.000Z. Fix: renew it, then restart the server or send it SIGHUP.\n`,
    )
  })
})
