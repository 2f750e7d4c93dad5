// `npm start`: build when dist/ is missing or older than src/, then run `mcp-pa serve`.
// Extra arguments pass through: `npm start -- --config my.json`.
import { spawnSync, spawn } from 'node:child_process'
import { readdirSync, statSync, existsSync } from 'node:fs'
import { join, dirname } from 'node:path'
import { fileURLToPath } from 'node:url'

const root = join(dirname(fileURLToPath(import.meta.url)), '..')
const entry = join(root, 'dist/cli/main.js')

function newestMtime(dir) {
  let newest = 0
  for (const item of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, item.name)
    newest = Math.max(newest, item.isDirectory() ? newestMtime(path) : statSync(path).mtimeMs)
  }
  return newest
}

if (!existsSync(entry) || newestMtime(join(root, 'src')) > statSync(entry).mtimeMs) {
  process.stderr.write('mcp-pa: building (first run or sources changed)…\n')
  const tsc = join(root, 'node_modules/typescript/bin/tsc')
  const build = spawnSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], {
    stdio: ['ignore', 2, 2],
  })
  if (build.status !== 0) {
    process.stderr.write('mcp-pa: the build failed; see the errors above.\n')
    process.exit(1)
  }
}

const child = spawn(process.execPath, [entry, 'serve', ...process.argv.slice(2)], {
  stdio: 'inherit',
})
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal))
child.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)))
