/**
 * Real handshakes against a real node:https server built from createTlsServerOptions: TLS 1.2
 * and 1.3 succeed with ECDHE + AEAD suites; TLS 1.1, TLS 1.0 and CBC suites are refused by the
 * server. A permissive control server proves the old-protocol client really speaks TLS 1.1.
 */
import { once } from 'node:events'
import type { IncomingMessage } from 'node:http'
import { readFile } from 'node:fs/promises'
import { createServer, get, type Server } from 'node:https'
import type { AddressInfo } from 'node:net'
import { connect, type ConnectionOptions, type SecureVersion } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import {
  createTlsServerOptions,
  hstsHeaderValue,
  loadTlsMaterial,
  TLS12_CIPHERS,
  TLS13_CIPHERSUITES,
  type TlsMaterial,
} from './tls.js'
import { CertFactory, sClient } from './tls-test-support.js'

let certs: CertFactory
let material: TlsMaterial
let server: Server
let port: number
/** The last handshake failure the server saw. */
let clientErrors: (Error & { code?: string })[] = []

/** A client that would speak the old protocols if the server let it. */
function oldClient(version: SecureVersion): ConnectionOptions {
  return {
    minVersion: version,
    maxVersion: version,
    ciphers: 'DEFAULT@SECLEVEL=0',
    rejectUnauthorized: false,
  }
}

interface Handshake {
  protocol: string | null
  cipher: string
  authorized: boolean
}

function handshake(to: number, options: ConnectionOptions): Promise<Handshake> {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port: to, servername: 'localhost', ...options })
    socket.once('secureConnect', () => {
      const result = {
        protocol: socket.getProtocol(),
        cipher: socket.getCipher().name,
        authorized: socket.authorized,
      }
      socket.end()
      resolve(result)
    })
    socket.once('error', reject)
  })
}

async function listen(options: Parameters<typeof createServer>[0]): Promise<[Server, number]> {
  const created = createServer(options, (_request, response) => {
    response.setHeader('strict-transport-security', hstsHeaderValue)
    response.end('ok')
  })
  created.listen(0, '127.0.0.1')
  await once(created, 'listening')
  return [created, (created.address() as AddressInfo).port]
}

async function close(which: Server | undefined): Promise<void> {
  if (which === undefined) return
  which.closeAllConnections()
  await new Promise<void>((resolve) => which.close(() => resolve()))
}

beforeAll(async () => {
  certs = await CertFactory.create()
  const pair = await certs.selfSigned('server', 30)
  material = await loadTlsMaterial({
    certPath: pair.cert,
    key: () => readFile(pair.key, 'utf8'),
  })
  ;[server, port] = await listen(createTlsServerOptions(material))
  server.on('tlsClientError', (error: Error) => clientErrors.push(error))
})

afterAll(async () => {
  await close(server)
  await certs.remove()
})

describe('accepted handshakes', () => {
  it.each(['TLSv1.2', 'TLSv1.3'] as const)('%s, verified against the certificate', async (v) => {
    const result = await handshake(port, { minVersion: v, maxVersion: v, ca: material.cert })
    expect(result.protocol).toBe(v)
    expect(result.authorized).toBe(true)
    const allowed: readonly string[] = v === 'TLSv1.3' ? TLS13_CIPHERSUITES : TLS12_CIPHERS
    expect(allowed).toContain(result.cipher)
  })

  it('prefers the server order in TLS 1.2 (AES-128-GCM before CHACHA20)', async () => {
    const result = await handshake(port, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-ECDSA-AES128-GCM-SHA256',
      ca: material.cert,
    })
    expect(result.cipher).toBe('ECDHE-ECDSA-AES128-GCM-SHA256')
  })

  it('serves HTTPS with HSTS', async () => {
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      get({ host: '127.0.0.1', port, servername: 'localhost', ca: material.cert }, resolve).on(
        'error',
        reject,
      )
    })
    response.resume()
    expect(response.statusCode).toBe(200)
    expect(response.headers['strict-transport-security']).toBe(hstsHeaderValue)
  })

  it('openssl s_client -tls1_2 completes the handshake', async () => {
    const result = await sClient(port, ['-tls1_2'])
    expect(result.output).toMatch(/New, TLSv1\.2, Cipher is ECDHE-ECDSA-AES128-GCM-SHA256/)
    expect(result.code).toBe(0)
  })
})

describe('refused handshakes: the server says no', () => {
  it.each(['TLSv1.1', 'TLSv1'] as const)('%s gets a protocol_version alert', async (version) => {
    clientErrors = []
    const serverSaw = once(server, 'tlsClientError')
    const error = (await handshake(port, oldClient(version)).catch((e: unknown) => e)) as {
      code?: string
    }
    // The client received the alert (it did not give up on its own) ...
    expect(error.code).toBe('ERR_SSL_TLSV1_ALERT_PROTOCOL_VERSION')
    // ... which the server sent because it does not support the protocol.
    await serverSaw
    expect(clientErrors.map((e) => e.code)).toEqual(['ERR_SSL_UNSUPPORTED_PROTOCOL'])
  })

  it('a TLS 1.2 client offering only CBC suites gets a handshake_failure alert', async () => {
    clientErrors = []
    const serverSaw = once(server, 'tlsClientError')
    const error = (await handshake(port, {
      maxVersion: 'TLSv1.2',
      ciphers: 'ECDHE-ECDSA-AES128-SHA256:ECDHE-ECDSA-AES128-SHA',
      rejectUnauthorized: false,
    }).catch((e: unknown) => e)) as { code?: string }
    // OpenSSL 3.0 names the alert SSLV3_…, 3.5 (Node 24) SSL/TLS_….
    expect(error.code).toMatch(/^ERR_SSL_SSL(V3|\/TLS)_ALERT_HANDSHAKE_FAILURE$/)
    await serverSaw
    expect(clientErrors.map((e) => e.code)).toEqual(['ERR_SSL_NO_SHARED_CIPHER'])
  })

  it('openssl s_client -tls1_1 is refused with a protocol version alert', async () => {
    const result = await sClient(port, ['-tls1_1', '-cipher', 'DEFAULT@SECLEVEL=0'])
    expect(result.code).not.toBe(0)
    expect(result.output).toMatch(/tlsv1 alert protocol version.*SSL alert number 70/)
  })

  it('control: the same TLS 1.1 client succeeds against a server that allows it', async () => {
    const [permissive, permissivePort] = await listen({
      ...createTlsServerOptions(material),
      minVersion: 'TLSv1',
      ciphers: 'DEFAULT@SECLEVEL=0',
    })
    try {
      const result = await handshake(permissivePort, oldClient('TLSv1.1'))
      expect(result.protocol).toBe('TLSv1.1')
    } finally {
      await close(permissive)
    }
  })
})
