import { describe, expect, it } from 'vitest'
import { describeLocation } from './location.js'

describe('describeLocation', () => {
  it.each([
    ['postgres://app:s3cr%40t@db.example:5432/pa', 'postgresql://app@db.example:5432/pa'],
    ['postgresql://app:hunter2@db.example/pa?sslmode=require', 'postgresql://app@db.example/pa'],
    ['postgres://app@db.example/pa?password=hunter2&sslkey=/k', 'postgresql://app@db.example/pa'],
    ['postgres://db.example/pa', 'postgresql://db.example/pa'],
    ['postgres:///pa?host=/var/run/postgresql', 'postgresql:///pa (host /var/run/postgresql)'],
    ['host=db password=hunter2', 'postgresql (connection string not shown)'],
  ])('%s → %s', (input, expected) => {
    const location = describeLocation(input, 'public')
    expect(location).toBe(expected)
    expect(location).not.toMatch(/hunter2|s3cr/)
  })

  it('names a non-default schema', () => {
    expect(describeLocation('postgres://u:p@h/d', 'tenant_a')).toBe(
      'postgresql://u@h/d (schema tenant_a)',
    )
  })
})
