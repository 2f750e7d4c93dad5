/**
 * Loads the effective configuration: the JSONC file (if any), then `MCP_*` environment
 * overrides, then the schema (defaults, mode-dependent defaults), then the cross-field rules.
 * Every problem found is reported at once in one ConfigError; warnings are returned.
 */
import { readFile } from 'node:fs/promises'
import { resolve } from 'node:path'
import { parse, printParseErrorCode } from 'jsonc-parser'
import type { ParseError } from 'jsonc-parser'
import { checkConfig } from './checks.js'
import { readEnvOverrides } from './env.js'
import type { EnvOverride } from './env.js'
import { ConfigError } from './errors.js'
import type { ConfigIssue } from './errors.js'
import { kindOf } from './fields.js'
import { defaultConfigPath, expandHome } from './paths.js'
import { issuesFromZod } from './issues.js'
import { configSchema } from './schema.js'
import type { Config } from './schema.js'

export interface LoadConfigOptions {
  /** An explicit file (must exist); otherwise `<home>/.config/mcp-pa/config.json` if present. */
  readonly configPath?: string | undefined
  /** The environment to read `MCP_*` overrides from (usually `process.env`). */
  readonly env: Readonly<Record<string, string | undefined>>
  /** The home directory: the default file's location and what a leading `~` means. */
  readonly home: string
}

export interface LoadedConfig {
  readonly config: Config
  /** The file that was read, or null when only defaults and the environment apply. */
  readonly source: string | null
  readonly warnings: string[]
}

const words = (code: string) => code.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase()

function syntaxIssues(text: string, errors: readonly ParseError[], path: string): ConfigIssue[] {
  return errors.map((error) => {
    const before = text.slice(0, error.offset).split('\n')
    const line = before.length
    const column = (before.at(-1)?.length ?? 0) + 1
    return {
      path: '',
      problem: `invalid JSON: ${words(printParseErrorCode(error.error))}`,
      fix: 'correct the syntax (comments and trailing commas are allowed)',
      source: `${path}:${line}:${column}`,
    }
  })
}

async function readConfigFile(
  options: LoadConfigOptions,
): Promise<{ file: unknown; source: string | null }> {
  const explicit = options.configPath !== undefined
  const path = explicit
    ? resolve(expandHome(options.configPath ?? '', options.home))
    : defaultConfigPath(options.home)
  let text: string
  try {
    text = (await readFile(path, 'utf8')).replace(/^\uFEFF/, '')
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code
    if (code === 'ENOENT' && !explicit) return { file: undefined, source: null }
    const problem =
      code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? 'error'})`
    const fix = 'check the path, or write a starter file with `mcp-pa init`'
    throw new ConfigError([{ path: '', problem, fix }], path)
  }
  const errors: ParseError[] = []
  const file: unknown = parse(text, errors, { allowTrailingComma: true })
  if (errors.length) throw new ConfigError(syntaxIssues(text, errors, path), path)
  if (file === null || typeof file !== 'object' || Array.isArray(file)) {
    const problem = `expected a JSON object at the top level, got ${kindOf(file)}`
    throw new ConfigError([{ path: '', problem, fix: 'write the settings inside { }' }], path)
  }
  return { file, source: path }
}

/** Sets each override at its path in a copy of the file; a non-object section is left for the schema to report. */
function applyOverrides(file: unknown, overrides: readonly EnvOverride[]): Record<string, unknown> {
  const root = structuredClone((file ?? {}) as Record<string, unknown>)
  for (const { path, value } of overrides) {
    const keys = path.split('.')
    const last = keys.pop() ?? path
    let node: Record<string, unknown> | undefined = root
    for (const key of keys) {
      node[key] ??= {}
      const next: unknown = node[key]
      node =
        next !== null && typeof next === 'object' && !Array.isArray(next)
          ? (next as Record<string, unknown>)
          : undefined
      if (node === undefined) break
    }
    if (node !== undefined) node[last] = value
  }
  return root
}

function expandPaths(config: Config, home: string): Config {
  const { tls_cert } = config.server
  const as = config.authentication.authorization_server
  const ca = as.client_certificate_ca
  return {
    ...config,
    database: { ...config.database, path: expandHome(config.database.path, home) },
    server: {
      ...config.server,
      ...(tls_cert === undefined ? {} : { tls_cert: expandHome(tls_cert, home) }),
    },
    authentication: {
      ...config.authentication,
      authorization_server: {
        ...as,
        ...(ca === undefined ? {} : { client_certificate_ca: expandHome(ca, home) }),
      },
    },
  }
}

/** Loads and validates the configuration; throws a ConfigError listing every problem and its fix. */
export async function loadConfig(options: LoadConfigOptions): Promise<LoadedConfig> {
  const { file, source } = await readConfigFile(options)
  const { overrides, issues: envIssues } = readEnvOverrides(options.env, options.home)
  const fromEnv = new Map(overrides.map((o) => [o.path, `env ${o.variable}`]))
  const sourceOf = (path: string) => fromEnv.get(path.replace(/\[\d+\]$/, ''))
  const errorSource = source ?? 'environment'

  const input = applyOverrides(file, overrides)
  const parsed = configSchema.safeParse(input)
  const issues = [...envIssues]
  if (!parsed.success) issues.push(...issuesFromZod(parsed.error.issues, input, sourceOf))
  if (!parsed.success || issues.length) throw new ConfigError(issues, errorSource)

  const config = expandPaths(parsed.data, options.home)
  const checked = checkConfig(config, sourceOf)
  if (checked.issues.length) throw new ConfigError(checked.issues, errorSource)
  return { config, source, warnings: checked.warnings }
}
