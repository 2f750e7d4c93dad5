import { describe, expect, it } from 'vitest'
import { acceptWithDefaults, schemaDefaults } from './elicitation.js'

describe('schemaDefaults: a form schema → the defaults it declares', () => {
  it('takes primitive and string-array defaults, skips the rest', () => {
    expect(
      schemaDefaults({
        type: 'object',
        properties: {
          name: { type: 'string', default: 'John Doe' },
          age: { type: 'integer', default: 30 },
          verified: { type: 'boolean', default: true },
          tags: { type: 'array', default: ['a', 'b'] },
          confirmed: { type: 'boolean' },
          odd: { type: 'object', default: { x: 1 } },
        },
      }),
    ).toEqual({ name: 'John Doe', age: 30, verified: true, tags: ['a', 'b'] })
  })

  it('is empty for a missing or malformed schema', () => {
    expect(schemaDefaults(undefined)).toEqual({})
    expect(schemaDefaults({ properties: 'x' })).toEqual({})
  })
})

describe('acceptWithDefaults', () => {
  it('accepts a form with its defaults', async () => {
    await expect(
      acceptWithDefaults({
        message: 'confirm?',
        requestedSchema: {
          type: 'object',
          properties: { status: { type: 'string', enum: ['a', 'b'], default: 'a' } },
        },
      }),
    ).resolves.toEqual({ action: 'accept', content: { status: 'a' } })
  })

  it('declines a URL-mode request (nothing to open headless)', async () => {
    await expect(
      acceptWithDefaults({
        mode: 'url',
        message: 'open',
        url: 'https://example.com/',
        elicitationId: 'e1',
      }),
    ).resolves.toEqual({ action: 'decline' })
  })
})
