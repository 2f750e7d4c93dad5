/**
 * Certificate rotation on SIGHUP against a real HTTPS server: the files are replaced, the
 * signal comes from an injected emitter, and a new connection shows which certificate is served.
 */
import { EventEmitter, once } from 'node:events'
import { readFile, writeFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { connect } from 'node:tls'
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest'
import { resolveSecret } from '../../config/index.js'
import {
  createTlsServerOptions,
  loadTlsMaterial,
  TlsConfigError,
  watchTlsReload,
  type TlsMaterial,
} from './tls.js'
import { CertFactory, type CertPair } from './tls-test-support.js'

let certs: CertFactory
let live: CertPair
let first: CertPair
let second: CertPair
let expiring: CertPair
let expired: CertPair
let stranger: string
let server: Server
let port: number
let signals: EventEmitter
let stop: (() => void) | undefined
const events = new EventEmitter()
let loads = 0

/** What the server's certificate in use is, seen from a new connection. */
function servedFingerprint(): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port, rejectUnauthorized: false })
    socket.once('secureConnect', () => {
      const fingerprint = socket.getPeerX509Certificate()?.fingerprint256 ?? ''
      socket.end()
      resolve(fingerprint)
    })
    socket.once('error', reject)
  })
}

/** Puts a certificate and key in the place the server loads from, as a deploy would. */
async function install(cert: string, key: string): Promise<void> {
  await writeFile(live.cert, await readFile(cert))
  await writeFile(live.key, await readFile(key), { mode: 0o600 })
}

/** Loads what is installed, through the same file: reference the configuration would use. */
function load(): Promise<TlsMaterial> {
  loads += 1
  const ref = `file:${live.key}`
  return loadTlsMaterial({
    certPath: live.cert,
    key: () => resolveSecret(ref, { env: {}, field: 'server.tls_key' }),
    keySource: ref,
  })
}

function fingerprintOf(pair: CertPair): Promise<string> {
  return loadTlsMaterial({
    certPath: pair.cert,
    key: () => readFile(pair.key, 'utf8'),
  }).then((material) => material.leaf.fingerprint256)
}

type Outcome = readonly ['reload', TlsMaterial] | readonly ['error', unknown]

/** SIGHUP, then the outcome: `['reload', material]` or `['error', error]`. */
function hangUp(): Promise<Outcome> {
  const outcome = Promise.race<Outcome>([
    once(events, 'reload').then(([material]) => ['reload', material as TlsMaterial] as const),
    once(events, 'failed').then(([error]) => ['error', error as unknown] as const),
  ])
  signals.emit('SIGHUP')
  return outcome
}

beforeAll(async () => {
  certs = await CertFactory.create()
  ;[first, second, expiring, expired] = await Promise.all([
    certs.selfSigned('first', 30),
    certs.selfSigned('second', 30),
    certs.selfSigned('expiring', 3),
    certs.withDates('expired', '20200101000000Z', '20210101000000Z'),
  ])
  stranger = await certs.key('stranger')
  live = { cert: `${certs.dir}/live.crt`, key: `${certs.dir}/live.key` }
  await install(first.cert, first.key)
  server = createServer(createTlsServerOptions(await load()))
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  port = (server.address() as AddressInfo).port
})

afterEach(() => {
  stop?.()
  stop = undefined
})

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()))
  await certs.remove()
})

function watch(): void {
  signals = new EventEmitter()
  loads = 0
  stop = watchTlsReload({
    server,
    load,
    onReload: (material) => events.emit('reload', material),
    onError: (error) => events.emit('failed', error),
    process: signals,
  })
}

describe('watchTlsReload', () => {
  it('serves the new certificate after SIGHUP', async () => {
    watch()
    await install(first.cert, first.key)
    await hangUp()
    expect(await servedFingerprint()).toBe(await fingerprintOf(first))
    await install(second.cert, second.key)
    const [outcome, material] = await hangUp()
    expect(outcome).toBe('reload')
    expect((material as TlsMaterial).leaf.fingerprint256).toBe(await fingerprintOf(second))
    expect(await servedFingerprint()).toBe(await fingerprintOf(second))
  })

  it('keeps the old certificate when the new key does not match, and reports why', async () => {
    watch()
    await install(second.cert, second.key)
    await hangUp()
    await install(first.cert, stranger)
    const [outcome, error] = await hangUp()
    expect(outcome).toBe('error')
    expect(error).toBeInstanceOf(TlsConfigError)
    expect((error as Error).message).toBe(
      `${live.cert}: server.tls_key: the private key in server.tls_key does not belong to the certificate in server.tls_cert (subject CN=localhost). Fix: set server.tls_key to the key the certificate was issued for, or server.tls_cert to the certificate of this key.`,
    )
    expect(await servedFingerprint()).toBe(await fingerprintOf(second))
  })

  it('keeps the old certificate when the new one has expired', async () => {
    watch()
    await install(second.cert, second.key)
    await hangUp()
    await install(expired.cert, expired.key)
    const [outcome, error] = await hangUp()
    expect(outcome).toBe('error')
    expect((error as Error).message).toContain('expired on 2021-01-01T00:00:00.000Z')
    expect(await servedFingerprint()).toBe(await fingerprintOf(second))
  })

  it('hands the warnings of the new certificate to onReload', async () => {
    watch()
    await install(expiring.cert, expiring.key)
    const [outcome, material] = await hangUp()
    expect(outcome).toBe('reload')
    expect((material as TlsMaterial).warnings).toEqual([
      expect.stringMatching(/expires on .*, in 2 days\. Renew it and send the server SIGHUP\.$/),
    ])
    expect(await servedFingerprint()).toBe(await fingerprintOf(expiring))
  })

  it('folds signals that arrive during a reload into one more reload', async () => {
    watch()
    await install(first.cert, first.key)
    const reloaded = new Promise<void>((resolve) => {
      let count = 0
      const onReload = (): void => {
        count += 1
        if (count === 2) {
          events.off('reload', onReload)
          resolve()
        }
      }
      events.on('reload', onReload)
    })
    signals.emit('SIGHUP')
    signals.emit('SIGHUP')
    signals.emit('SIGHUP')
    await reloaded
    expect(loads).toBe(2)
  })

  it('stops listening when unsubscribed', () => {
    watch()
    expect(signals.listenerCount('SIGHUP')).toBe(1)
    stop?.()
    expect(signals.listenerCount('SIGHUP')).toBe(0)
    signals.emit('SIGHUP')
    expect(loads).toBe(0)
  })
})
