import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { censorRecord, createLogger, SENSITIVE_KEYS } from './logger.js'
import { fingerprint } from './fingerprint.js'
import { loggerAuditSink } from './events.js'

function capture() {
  const lines: string[] = []
  const stream = new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString('utf8'))
      done()
    },
  })
  return { lines, stream }
}

describe('logger', () => {
  it.each([
    ['password'],
    ['token'],
    ['api_key'],
    ['client_secret'],
    ['authorization'],
    ['connection_string'],
  ])('censors a top-level %s and a nested one', (key) => {
    const { lines, stream } = capture()
    const value = `v-${crypto.randomUUID()}`
    const logger = createLogger({ level: 'info', destination: stream })
    logger.info({ [key]: value, nested: { [key]: value } }, 'hello')
    expect(lines.join('')).not.toContain(value)
    expect(lines.join('')).toContain('[redacted]')
  })

  it('censors every sensitive name at every searched depth: headers, req.headers, a child binding', () => {
    const { lines, stream } = capture()
    const value = `v-${crypto.randomUUID()}`
    const logger = createLogger({ level: 'info', destination: stream })
    logger.info(
      {
        headers: { authorization: `Bearer ${value}`, 'set-cookie': value },
        req: { headers: { cookie: value, authorization: value, accept: 'text/html' } },
        upstream: { oauth: { client_secret: value, id_token: value } },
      },
      'request',
    )
    logger.child({ token: value }).info('from a child')
    const text = lines.join('')
    expect(text).not.toContain(value)
    const first = JSON.parse(lines[0] ?? '{}') as Record<string, never>
    expect(first).toMatchObject({
      headers: { authorization: '[redacted]', 'set-cookie': '[redacted]' },
      req: { headers: { cookie: '[redacted]', authorization: '[redacted]', accept: 'text/html' } },
      upstream: { oauth: { client_secret: '[redacted]', id_token: '[redacted]' } },
    })
    expect(JSON.parse(lines[1] ?? '{}')).toMatchObject({ token: '[redacted]' })
  })

  it('never changes the caller’s object, and returns an object with nothing to censor as it is', () => {
    const value = `v-${crypto.randomUUID()}`
    const record = { user: 'u1', nested: { password: value, keep: 1 }, other: { fine: true } }
    const censored = censorRecord(record)
    expect(record.nested.password).toBe(value)
    expect(censored).toEqual({
      user: 'u1',
      nested: { password: '[redacted]', keep: 1 },
      other: { fine: true },
    })
    // Only the path to the censored value is copied.
    expect(censored.other).toBe(record.other)
    const clean = { user: 'u1', nested: { keep: 1 } }
    expect(censorRecord(clean)).toBe(clean)
  })

  it('keeps absent values absent and leaves errors, arrays and class instances to the serializers', () => {
    const error = Object.assign(new Error('boom'), { code: 'E1' })
    const record = { token: undefined, err: error, list: [{ token: 'x' }], at: new Date(0) }
    const censored = censorRecord(record)
    expect(censored).toBe(record)
    expect(censored.err).toBe(error)
    expect(SENSITIVE_KEYS.has('refresh_token')).toBe(true)
  })

  it('writes audit events as JSON records marked audit', () => {
    const { lines, stream } = capture()
    const sink = loggerAuditSink(createLogger({ level: 'info', destination: stream }))
    sink.emit({ type: 'tool.called', tool: 'memory_get', userId: 'u1', ok: true, ms: 1 })
    const record = JSON.parse(lines[0] ?? '{}') as Record<string, unknown>
    expect(record).toMatchObject({
      audit: true,
      type: 'tool.called',
      tool: 'memory_get',
      msg: 'tool.called',
    })
  })
})

describe('fingerprint', () => {
  it('is a SHA-256 prefix, stable, and never the value', () => {
    const token = crypto.randomUUID()
    const fp = fingerprint(token)
    expect(fp).toMatch(/^sha256:[0-9a-f]{16}$/)
    expect(fp).toBe(fingerprint(token))
    expect(fp).not.toContain(token)
  })

  it('matches a known vector', () => {
    // SHA-256("abc") = ba7816bf8f01cfea…
    expect(fingerprint('abc')).toBe('sha256:ba7816bf8f01cfea')
  })
})
