// A tiny eslint-plugin-import resolver (interface v2) for our NodeNext sources: a relative
// `./x.js` import resolves to `./x.ts` when that file exists; anything else goes through Node's
// own resolution. It replaces eslint-import-resolver-typescript, whose native optional
// dependencies cannot all be locked from this machine's registry (npm ci would fail).
const { existsSync } = require('node:fs')
const { dirname, resolve } = require('node:path')
const { builtinModules, createRequire } = require('node:module')

exports.interfaceVersion = 2

exports.resolve = function resolveImport(source, file) {
  if (source.startsWith('node:') || builtinModules.includes(source))
    return { found: true, path: null }
  if (source.startsWith('.')) {
    const base = resolve(dirname(file), source)
    for (const candidate of [
      base.replace(/\.js$/, '.ts'),
      base,
      `${base}.ts`,
      `${base}/index.ts`,
    ]) {
      if (existsSync(candidate) && !candidate.endsWith('/')) return { found: true, path: candidate }
    }
    return { found: false }
  }
  try {
    return { found: true, path: createRequire(file).resolve(source) }
  } catch {
    // ESM-only packages have no CommonJS entry; the package directory is enough for the rules.
    try {
      const name = source.startsWith('@')
        ? source.split('/').slice(0, 2).join('/')
        : source.split('/')[0]
      return { found: true, path: createRequire(file).resolve(`${name}/package.json`) }
    } catch {
      return { found: false }
    }
  }
}
