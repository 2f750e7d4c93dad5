import { spawnSync } from 'node:child_process'
import { resolve } from 'node:path'
import { describe, expect, it } from 'vitest'

const root = resolve(import.meta.dirname, '../..')

/**
 * DESIGN §4: importing the tools (or, later, the guard) loads no database driver and no HTTP
 * server module. A resolve hook in a child process records every module the import pulls in.
 */
function modulesLoadedBy(entry: string): string[] {
  const hooks = `data:text/javascript,${encodeURIComponent(
    'export async function resolve(s, c, next) { const r = await next(s, c); process.stderr.write("LOADED " + r.url + "\\n"); return r }',
  )}`
  const script = `import { register } from 'node:module'; register(${JSON.stringify(hooks)}); await import(${JSON.stringify(resolve(root, entry))}); process.stderr.write('BUILTINS ' + JSON.stringify(process.moduleLoadList.filter((m) => m.startsWith('NativeModule'))) + '\\n')`
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    encoding: 'utf8',
  })
  expect(child.status, child.stderr).toBe(0)
  return child.stderr.split('\n')
}

describe('dependency direction', () => {
  it.each([
    ['dist/tools/index.js'],
    ['dist/domain/index.js'],
    ['dist/search/index.js'],
    ['dist/auth/guard/index.js'],
    ['dist/auth/protocol/index.js'],
  ])('%s loads no database driver and no node:http', (entry) => {
    const lines = modulesLoadedBy(entry)
    const loaded = lines.filter((l) => l.startsWith('LOADED ')).join('\n')
    expect(loaded).toContain(entry.replace('dist/', '/dist/'))
    expect(loaded).not.toMatch(/better-sqlite3|\/node_modules\/pg\/|\/node_modules\/pg-|kysely/)
    expect(loaded).not.toMatch(/node:http\b|node:https\b|hono/)
    const builtins = lines.find((l) => l.startsWith('BUILTINS ')) ?? ''
    expect(builtins).not.toMatch(/NativeModule (_http_server|http)"/)
  })
})
