import { readFile } from 'node:fs/promises'
import { describe, expect, it } from 'vitest'
import { ENV_VARIABLES, renderConfigDocs } from './index.js'
import { leafFields } from './fields.js'

const DOCS = new URL('../../docs/configuration.md', import.meta.url)

describe('docs/configuration.md', () => {
  it('is the output of renderConfigDocs() (run `npm run docs` when this fails)', async () => {
    const committed = await readFile(DOCS, 'utf8').catch(() => '')
    const fresh = renderConfigDocs()
    if (committed !== fresh) {
      expect.fail(
        'docs/configuration.md is out of date with src/config/schema.ts: run `npm run docs`',
      )
    }
  })

  it('documents every key and every environment variable', () => {
    const docs = renderConfigDocs()
    for (const { path } of leafFields()) expect(docs).toContain(`| \`${path}\` |`)
    for (const { name } of ENV_VARIABLES) expect(docs).toContain(`| \`${name}\` |`)
  })

  it('every environment variable sets a key of the schema', () => {
    const paths = new Set(leafFields().map((f) => f.path))
    for (const { name, path } of ENV_VARIABLES) expect(paths.has(path), name).toBe(true)
  })
})
