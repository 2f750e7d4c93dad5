import { readFile } from 'node:fs/promises'
import { getCiphers } from 'node:tls'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createTlsServerOptions, hstsHeaderValue, loadTlsMaterial, TLS12_CIPHERS } from './tls.js'
import { CertFactory, type CertPair } from './tls-test-support.js'

let certs: CertFactory
let pair: CertPair

beforeAll(async () => {
  certs = await CertFactory.create()
  pair = await certs.selfSigned('options', 30)
})

afterAll(async () => {
  await certs.remove()
})

describe('createTlsServerOptions', () => {
  it('sets TLS 1.2 as the minimum, the suite list and the server order', async () => {
    const material = await loadTlsMaterial({
      certPath: pair.cert,
      key: () => readFile(pair.key, 'utf8'),
    })
    expect(createTlsServerOptions(material)).toEqual({
      cert: material.cert,
      key: await readFile(pair.key, 'utf8'),
      minVersion: 'TLSv1.2',
      ciphers:
        'TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:' +
        'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:' +
        'ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:' +
        'ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305:@SECLEVEL=2',
      honorCipherOrder: true,
    })
  })

  it.each(TLS12_CIPHERS)('%s is ECDHE + AEAD and known to this OpenSSL', (cipher) => {
    expect(cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/)
    expect(getCiphers()).toContain(cipher.toLowerCase())
  })
})

describe('hstsHeaderValue', () => {
  it('is two years with subdomains, without preload', () => {
    expect(hstsHeaderValue).toBe('max-age=63072000; includeSubDomains')
  })
})
