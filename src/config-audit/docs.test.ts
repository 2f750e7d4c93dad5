import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { RULES } from './rules/index.js'

describe('docs/config-audit.md', () => {
  it.each(RULES.map((rule) => [rule.id, rule.severity]))(
    'documents %s (%s)',
    async (id, severity) => {
      const doc = await readFile(join(import.meta.dirname, '../../docs/config-audit.md'), 'utf8')
      expect(doc).toContain(`### \`${id}\` — ${severity}`)
    },
  )

  it('every rule has a unique kebab-case id and plain-words texts', () => {
    const ids = RULES.map((rule) => rule.id)
    expect(new Set(ids).size).toBe(ids.length)
    for (const rule of RULES) {
      expect(rule.id).toMatch(/^[a-z]+(?:-[a-z]+)*$/)
      expect(rule.title.length).toBeGreaterThan(10)
      expect(rule.description.length).toBeGreaterThan(40)
      expect(rule.fixHint.length).toBeGreaterThan(20)
    }
  })
})
