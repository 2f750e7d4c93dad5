// `npm run docs`: regenerate docs/configuration.md and docs/tools.md from the built schema and
// registry. Tests fail when the committed files differ from this output.
import { writeFileSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { renderToolDocs } = await import(join(root, 'dist/tools/index.js'))
const { renderConfigDocs } = await import(join(root, 'dist/config/index.js'))
writeFileSync(join(root, 'docs/tools.md'), renderToolDocs())
writeFileSync(join(root, 'docs/configuration.md'), renderConfigDocs())
process.stderr.write('wrote docs/tools.md and docs/configuration.md\n')
