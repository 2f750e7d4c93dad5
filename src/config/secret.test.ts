import { randomBytes } from 'node:crypto'
import { Writable } from 'node:stream'
import { inspect } from 'node:util'
import { pino } from 'pino'
import { describe, expect, it } from 'vitest'
import { REDACTED, Secret } from './index.js'

const value = () => `s3cr3t-${randomBytes(12).toString('hex')}`

describe('Secret', () => {
  it('reveals its value only through reveal()', () => {
    const raw = value()
    expect(new Secret(raw).reveal()).toBe(raw)
  })

  it.each([
    ['String()', (s: Secret) => String(s), REDACTED],
    ['template literal', (s: Secret) => `key=${s}`, `key=${REDACTED}`],
    ['concatenation', (s: Secret) => 'key=' + s, `key=${REDACTED}`],
    ['JSON.stringify', (s: Secret) => JSON.stringify({ s }), `{"s":"${REDACTED}"}`],
    [
      'util.inspect',
      (s: Secret) => inspect({ n: { s } }, { depth: 5 }),
      `{ n: { s: ${REDACTED} } }`,
    ],
    ['util.inspect showHidden', (s: Secret) => inspect(s, { showHidden: true }), REDACTED],
    ['Object.entries', (s: Secret) => JSON.stringify(Object.entries(s)), '[]'],
  ])('%s never shows the value', (_name, render, expected) => {
    const raw = value()
    const text = render(new Secret(raw))
    expect(text).toBe(expected)
    expect(text).not.toContain(raw)
  })

  it('pino logs [redacted] for a Secret field and a message', () => {
    const raw = value()
    const lines: string[] = []
    const stream = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString('utf8'))
        done()
      },
    })
    const logger = pino({ level: 'info' }, stream)
    const secret = new Secret(raw)
    logger.info({ apiKey: secret, nested: { secret } }, `connecting with ${secret}`)
    logger.info('%s', secret)
    const output = lines.join('')
    expect(output).not.toContain(raw)
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>
    expect(first.apiKey).toBe(REDACTED)
    expect(first.nested).toEqual({ secret: REDACTED })
    expect(first.msg).toBe(`connecting with ${REDACTED}`)
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ msg: REDACTED })
  })
})
