import { Writable } from 'node:stream'
import { describe, expect, it } from 'vitest'
import { createLogger } from './logger.js'
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
