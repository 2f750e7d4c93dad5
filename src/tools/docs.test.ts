import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'
import { renderToolDocs } from './docs.js'
import { TOOLS } from './registry.js'

describe('docs/tools.md', () => {
  it('is in sync with the registry (run `npm run docs` after changing a tool)', async () => {
    const file = await readFile(resolve(import.meta.dirname, '../../docs/tools.md'), 'utf8')
    expect(file).toBe(renderToolDocs())
  })

  it('documents every tool with its scope and an example', () => {
    const docs = renderToolDocs()
    for (const tool of TOOLS) {
      expect(docs).toContain(`## \`${tool.name}\``)
      for (const scope of tool.scopes) expect(docs).toContain(`\`${scope}\``)
    }
  })
})

describe('registry', () => {
  it('gives every tool a scope, annotations and an example its own schema accepts', () => {
    for (const tool of TOOLS) {
      expect(tool.scopes.length).toBeGreaterThan(0)
      expect(tool.input.safeParse(tool.example).success).toBe(true)
      const writes = tool.scopes.some((s) => s.endsWith(':write'))
      expect(tool.annotations.readOnlyHint).toBe(!writes)
    }
  })
})
