// Regenerates docs/configuration.md from the BUILT config module (run `npx tsc -p
// tsconfig.build.json` first; `npm run docs` does both). src/config/docs.test.ts fails when the
// committed file differs from this output.
import { mkdirSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const { renderConfigDocs } = await import(pathToFileURL(join(root, 'dist/config/index.js')).href)
mkdirSync(join(root, 'docs'), { recursive: true })
writeFileSync(join(root, 'docs/configuration.md'), renderConfigDocs())
process.stderr.write('wrote docs/configuration.md\n')
