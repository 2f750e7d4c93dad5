/**
 * The client CA of tls_client_auth (RFC 8705 §2.1.1) on a real HTTPS server: the listener asks
 * for a client certificate without insisting, validates it against the configured CA bundle
 * (`socket.authorized`), keeps serving clients without one, and takes a new CA bundle on SIGHUP
 * with the certificate. The bundle is checked at load. Certificates are made at test time.
 */
import { EventEmitter, once } from 'node:events'
import { copyFile, readFile } from 'node:fs/promises'
import { createServer, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { connect, type TLSSocket } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTlsServerOptions,
  loadTlsMaterial,
  TlsConfigError,
  watchTlsReload,
  type TlsMaterial,
} from './tls.js'
import { CertFactory, type CertPair } from './tls-test-support.js'

let certs: CertFactory
let serverPair: CertPair
let caA: CertPair
let caB: CertPair
let clientA: CertPair
let clientB: CertPair
/** Under CA A, but a server certificate (extended key usage serverAuth only). */
let serverUseA: CertPair
/** The CA file the server loads (a copy of A's or B's CA certificate). */
let caFile: string

/** The material with the client CA at `clientCaPath` (`null`: none). */
const load = (clientCaPath: string | null = caFile): Promise<TlsMaterial> =>
  loadTlsMaterial({
    certPath: serverPair.cert,
    key: () => readFile(serverPair.key, 'utf8'),
    clientCaPath: clientCaPath ?? undefined,
  })

beforeAll(async () => {
  certs = await CertFactory.create()
  ;[caA, caB] = await Promise.all([certs.ca('ca-a'), certs.ca('ca-b')])
  ;[serverPair, clientA, clientB, serverUseA] = await Promise.all([
    certs.selfSigned('server', 30),
    certs.signed('client-a', caA, { subject: '/CN=a', client: true }),
    certs.signed('client-b', caB, { subject: '/CN=b', client: true }),
    certs.signed('server-use-a', caA, { subject: '/CN=s' }),
  ])
  caFile = `${certs.dir}/client-ca.pem`
  await copyFile(caA.cert, caFile)
})
afterAll(async () => {
  await certs?.remove()
})

describe('loading the client CA bundle', () => {
  it('asks for client certificates (without insisting) only with a client CA', async () => {
    const options = createTlsServerOptions(await load())
    expect(options).toMatchObject({ requestCert: true, rejectUnauthorized: false })
    expect(options.ca).toContain('-----BEGIN CERTIFICATE-----')
    const plain = createTlsServerOptions(await load(null))
    expect(plain).not.toHaveProperty('requestCert')
    expect(plain).not.toHaveProperty('ca')
  })

  it.each([
    ['a client certificate instead of its CA', () => clientA.cert, /is not a CA certificate/],
    ['a file without a certificate', () => serverPair.key, /does not hold a PEM certificate/],
    ['a missing file', () => `${certs.dir}/nope.pem`, /file not found/],
  ])('refuses %s, naming the key to fix', async (_name, path, problem) => {
    const error = await load(path()).catch((e: unknown) => e)
    expect(error).toBeInstanceOf(TlsConfigError)
    expect((error as TlsConfigError).field).toBe(
      'authentication.authorization_server.client_certificate_ca',
    )
    expect((error as Error).message).toMatch(problem)
    expect((error as Error).message).not.toContain('PRIVATE KEY')
  })
})

describe('handshakes against the client CA', () => {
  let server: Server
  let port: number
  let signals: EventEmitter
  let stop: () => void
  const reloaded = new EventEmitter()
  /** What the server saw of the last connection: chain validated, and the peer's subject. */
  let seen: { authorized: boolean; subject: string | undefined }[] = []

  beforeAll(async () => {
    server = createServer(createTlsServerOptions(await load()), (req, res) => {
      const socket = req.socket as TLSSocket
      seen.push({
        authorized: socket.authorized,
        subject: socket.getPeerX509Certificate()?.subject,
      })
      res.end('ok')
    })
    server.listen(0, '127.0.0.1')
    await once(server, 'listening')
    port = (server.address() as AddressInfo).port
    signals = new EventEmitter()
    stop = watchTlsReload({
      server,
      load: () => load(),
      onReload: (material) => reloaded.emit('done', material),
      onError: (error) => reloaded.emit('done', error),
      process: signals,
    })
  })
  afterAll(async () => {
    stop?.()
    server?.closeAllConnections()
    await new Promise<void>((resolve) => server?.close(() => resolve()) ?? resolve())
  })

  /** One request on a new connection, with `pair` as client certificate when given. */
  async function visit(pair?: CertPair): Promise<(typeof seen)[number]> {
    seen = []
    const tlsOptions =
      pair === undefined ? {} : { cert: await readFile(pair.cert), key: await readFile(pair.key) }
    await new Promise<void>((resolve, reject) => {
      const socket = connect(
        { host: '127.0.0.1', port, rejectUnauthorized: false, ...tlsOptions },
        () => {
          socket.write('GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n')
        },
      )
      socket.on('data', () => undefined)
      socket.once('end', () => resolve())
      socket.once('error', reject)
    })
    const [first] = seen
    if (first === undefined) throw new Error('the server saw no request')
    return first
  }

  it('a client without a certificate still connects; one under the CA is authorized; another CA is not', async () => {
    expect(await visit()).toEqual({ authorized: false, subject: undefined })
    expect(await visit(clientA)).toEqual({ authorized: true, subject: 'CN=a' })
    expect(await visit(clientB)).toEqual({ authorized: false, subject: 'CN=b' })
  })

  it('a certificate of the CA without the clientAuth purpose is not authorized', async () => {
    expect(await visit(serverUseA)).toEqual({ authorized: false, subject: 'CN=s' })
  })

  it('SIGHUP reloads the client CA with the certificate (new connections)', async () => {
    await copyFile(caB.cert, caFile)
    const done = once(reloaded, 'done')
    signals.emit('SIGHUP')
    const [outcome] = await done
    expect((outcome as TlsMaterial).clientCa).toBe(await readFile(caB.cert, 'utf8'))
    expect((await visit(clientB)).authorized).toBe(true)
    expect((await visit(clientA)).authorized).toBe(false)
  })
})
