import { once } from 'node:events'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { exportJWK, generateKeyPair, SignJWT } from 'jose'
import type { CryptoKey, JSONWebKeySet, JWTPayload } from 'jose'

/** A key pair generated at test time; nothing is ever written to disk. */
export interface TestKey {
  kid: string
  alg: 'ES256' | 'RS256' | 'EdDSA'
  privateKey: CryptoKey
  publicKey: CryptoKey
}

export async function testKey(kid: string, alg: TestKey['alg'] = 'ES256'): Promise<TestKey> {
  const { privateKey, publicKey } = await generateKeyPair(alg, { extractable: true })
  return { kid, alg, privateKey, publicKey }
}

export async function jwksOf(...keys: TestKey[]): Promise<JSONWebKeySet> {
  return {
    keys: await Promise.all(
      keys.map(async (k) => ({ ...(await exportJWK(k.publicKey)), kid: k.kid, alg: k.alg })),
    ),
  }
}

export interface MintOptions {
  typ?: string
  kid?: string
  /** Claims set to `undefined` are left out. */
  claims?: Record<string, unknown>
}

export async function mint(key: TestKey, base: JWTPayload, options: MintOptions = {}) {
  const payload = Object.fromEntries(
    Object.entries({ ...base, ...options.claims }).filter(([, v]) => v !== undefined),
  )
  const header = { alg: key.alg, kid: options.kid ?? key.kid, typ: options.typ ?? 'at+jwt' }
  return new SignJWT(payload).setProtectedHeader(header).sign(key.privateKey)
}

/** A JWKS endpoint on 127.0.0.1 port 0 that counts its requests. */
export async function jwksServer(jwks: () => JSONWebKeySet) {
  let requests = 0
  const server = createServer((_req, res) => {
    requests += 1
    res.writeHead(200, { 'content-type': 'application/json' })
    res.end(JSON.stringify(jwks()))
  })
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as AddressInfo
  return {
    url: new URL(`http://127.0.0.1:${port}/jwks`),
    requests: () => requests,
    close: () => new Promise<void>((done) => server.close(() => done())),
  }
}
