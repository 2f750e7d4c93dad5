import { randomBytes } from 'node:crypto'
import { describe, expect, it } from 'vitest'
import { configSchema, redactUrl, renderEffectiveConfig } from './index.js'
import type { Config } from './index.js'

const password = () => randomBytes(12).toString('hex')

describe('redactUrl', () => {
  it.each([
    ['postgres://app:<pw>@db:5432/mcp', 'postgres://app:***@db:5432/mcp'],
    [
      'postgresql://app@db/mcp?sslmode=require&password=<pw>',
      'postgresql://app@db/mcp?sslmode=require&password=***',
    ],
    ['https://user:<pw>@example.com/v1', 'https://user:***@example.com/v1'],
    ['postgres://app@db/mcp', 'postgres://app@db/mcp'],
    ['postgres://app:<pw>@db:bad-port/mcp', 'postgres://app:***@db:bad-port/mcp'],
    ['env:MCP_DATABASE_URL', 'env:MCP_DATABASE_URL'],
  ])('%s → %s', (template, expected) => {
    const pw = password()
    const out = redactUrl(template.replace('<pw>', pw))
    expect(out).toBe(expected)
    expect(out).not.toContain(pw)
  })
})

describe('renderEffectiveConfig', () => {
  it('shows references as written and masks URL passwords', () => {
    const pw = password()
    const parsed = configSchema.parse({
      mode: 'http',
      server: { tls_cert: '/etc/tls/cert.pem', tls_key: 'file:/etc/tls/key.pem' },
      embeddings: { api_key: 'env:OPENAI_API_KEY' },
    })
    // Defence in depth: the schema refuses such a URL, but the renderer must still mask it.
    const config = {
      ...parsed,
      database: { ...parsed.database, connection_string: `postgres://app:${pw}@db/mcp` },
    } as Config
    const text = renderEffectiveConfig(config)
    expect(text).not.toContain(pw)
    const shown = JSON.parse(text) as Config
    expect(shown.database.connection_string).toBe('postgres://app:***@db/mcp')
    expect(shown.server.tls_key).toBe('file:/etc/tls/key.pem')
    expect(shown.embeddings.api_key).toBe('env:OPENAI_API_KEY')
    expect(shown.authentication.enabled).toBe(true)
    expect(text.startsWith('{\n  "mode": "http",\n  "transport": "streamable-http",')).toBe(true)
  })
})
