import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { hashClientSecret } from '../../auth/server/index.js'
import { IncomingMessage } from 'node:http'
import { Socket } from 'node:net'
import { BodyTooLarge, hashPresentedSecrets, readBody } from './oauth-request.js'

const newSecret = () => `${randomBytes(16).toString('base64url')}+/:%`
const basic = (id: string, value: string) =>
  `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(value)}`).toString('base64')}`

describe('hashPresentedSecrets (client secrets hashed at rest)', () => {
  it('replaces the secret of client_secret_basic by its hash, form-decoding both parts', () => {
    const presented = newSecret()
    const out = hashPresentedSecrets(basic('client:1', presented), undefined, Buffer.alloc(0))
    const decoded = Buffer.from(out.authorization!.slice(6), 'base64').toString('utf8')
    expect(decoded).toBe(`client%3A1:${encodeURIComponent(hashClientSecret(presented))}`)
    expect(out.authorization).not.toContain(presented)
  })

  it('replaces client_secret in a form body and in a JSON body', () => {
    const presented = newSecret()
    const form = hashPresentedSecrets(
      undefined,
      'application/x-www-form-urlencoded; charset=utf-8',
      Buffer.from(new URLSearchParams({ client_id: 'c', client_secret: presented }).toString()),
    )
    expect(new URLSearchParams(form.body.toString()).get('client_secret')).toBe(
      hashClientSecret(presented),
    )
    const json = hashPresentedSecrets(
      undefined,
      'application/json',
      Buffer.from(JSON.stringify({ client_id: 'c', client_secret: presented })),
    )
    expect(JSON.parse(json.body.toString()).client_secret).toBe(hashClientSecret(presented))
  })

  it('leaves requests without a secret, bearer headers and repeated parameters alone', () => {
    const body = Buffer.from('grant_type=refresh_token&client_id=c')
    const plain = hashPresentedSecrets('Bearer abc', 'application/x-www-form-urlencoded', body)
    expect(plain).toEqual({ authorization: 'Bearer abc', body })
    const twice = Buffer.from('client_secret=a&client_secret=b')
    expect(hashPresentedSecrets(undefined, 'application/x-www-form-urlencoded', twice).body).toBe(
      twice,
    )
    const broken = Buffer.from('{not json')
    expect(hashPresentedSecrets(undefined, 'application/json', broken).body).toBe(broken)
  })

  it('hashes a secret whose parameter name or JSON key is escaped: a stored hash cannot be passed as the secret', () => {
    const stored = hashClientSecret(newSecret())
    const form = hashPresentedSecrets(
      undefined,
      'application/x-www-form-urlencoded',
      Buffer.from(`client_id=c&client%5Fsecret=${encodeURIComponent(stored)}`),
    )
    expect(new URLSearchParams(form.body.toString()).get('client_secret')).toBe(
      hashClientSecret(stored),
    )
    const json = hashPresentedSecrets(
      undefined,
      'application/json',
      Buffer.from(`{"client_id":"c","client\\u005fsecret":${JSON.stringify(stored)}}`),
    )
    expect(JSON.parse(json.body.toString()).client_secret).toBe(hashClientSecret(stored))
  })
})

describe('readBody', () => {
  const message = (chunks: string[], complete = true) => {
    const req = new IncomingMessage(new Socket())
    for (const chunk of chunks) req.push(Buffer.from(chunk))
    if (complete) {
      req.complete = true
      req.push(null)
    }
    return req
  }

  it('returns the whole body from several chunks', async () => {
    expect((await readBody(message(['grant_type=', 'refresh_token']))).toString()).toBe(
      'grant_type=refresh_token',
    )
  })

  it('refuses a body over the limit, declared or received', async () => {
    const declared = message(['x'])
    declared.headers['content-length'] = '100'
    await expect(readBody(declared, 10)).rejects.toBeInstanceOf(BodyTooLarge)
    await expect(readBody(message(['12345', '67890', 'x']), 10)).rejects.toBeInstanceOf(
      BodyTooLarge,
    )
  })

  it('fails, instead of waiting, when the client goes away mid-body', async () => {
    const req = message(['half'], false)
    const reading = readBody(req)
    req.destroy()
    await expect(reading).rejects.toThrow()
  })
})
