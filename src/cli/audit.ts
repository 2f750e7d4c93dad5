import {
  auditConfigs,
  failsAt,
  fixFindings,
  FixError,
  openKeychain,
  renderJson,
  renderSarif,
  renderText,
  type FixOutcome,
  type Severity,
} from '../config-audit/index.js'
import { parseFlags } from './args.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'
import { VERSION } from './version.js'

const FORMATS = ['text', 'json', 'sarif'] as const
const LEVELS: readonly Severity[] = ['error', 'warning', 'note']
const STORES = ['env', 'keychain'] as const

function oneOf<T extends string>(
  flag: string,
  value: string | undefined,
  allowed: readonly T[],
  fallback: T,
): T {
  if (value === undefined) return fallback
  if ((allowed as readonly string[]).includes(value)) return value as T
  throw new CliError(`--${flag} must be one of ${allowed.join(', ')} (got "${value}")`, EXIT.usage)
}

/** `mcp-pa audit [paths…]`: scans MCP client configs; `--fix` repairs what is safe to repair. */
export async function audit(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals } = parseFlags(
    'audit',
    argv,
    {
      format: { type: 'string', short: 'f' },
      'fail-on': { type: 'string' },
      fix: { type: 'boolean' },
      'dry-run': { type: 'boolean' },
      'secrets-to': { type: 'string' },
      'no-discover': { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
    true,
  )
  if (values.help) {
    console.log(HELP.audit)
    return EXIT.ok
  }
  const format = oneOf('format', values.format, FORMATS, 'text')
  const failOn = oneOf('fail-on', values['fail-on'], LEVELS, 'warning')
  const secretsTo = oneOf('secrets-to', values['secrets-to'], STORES, 'env')
  const dryRun = values['dry-run'] === true
  if (dryRun && !values.fix) throw new CliError('--dry-run only makes sense with --fix', EXIT.usage)
  if (values['no-discover'] && positionals.length === 0) {
    throw new CliError('--no-discover needs at least one file to audit', EXIT.usage)
  }
  const cwd = process.cwd()
  const options = {
    home: env.home,
    cwd,
    platform: process.platform,
    env: env.vars,
    paths: positionals,
    discover: values['no-discover'] !== true,
  }
  let result = await auditConfigs(options)
  if (values.fix) {
    const vault = secretsTo === 'keychain' && !dryRun ? await keychainOrFail() : undefined
    const outcomes = await runFixes(result, { secretsTo, dryRun, vault })
    if (!dryRun && outcomes.length > 0) result = await auditConfigs(options)
  }
  const render = { text: renderText, json: renderJson, sarif: renderSarif }[format]
  console.log(render(result, cwd, VERSION))
  const explicitFailure = result.failures.some(({ candidate }) => candidate.scope === 'explicit')
  if (explicitFailure) return EXIT.usage
  return failsAt(result.findings, failOn) ? EXIT.failure : EXIT.ok
}

async function keychainOrFail() {
  try {
    return await openKeychain()
  } catch (error) {
    throw new CliError(error instanceof Error ? error.message : String(error), EXIT.failure)
  }
}

async function runFixes(
  result: Awaited<ReturnType<typeof auditConfigs>>,
  options: Parameters<typeof fixFindings>[1],
): Promise<FixOutcome[]> {
  let outcomes: FixOutcome[]
  try {
    outcomes = await fixFindings(result, options)
  } catch (error) {
    if (error instanceof FixError) throw new CliError(error.message, EXIT.failure)
    throw error
  }
  if (outcomes.length === 0) console.error('Nothing to fix automatically.')
  for (const outcome of outcomes) {
    if (options.dryRun) {
      console.error(`Would change (dry run, nothing written):\n${outcome.preview}`)
      continue
    }
    console.error(
      `Fixed ${outcome.configPath}${outcome.backup ? ` (backup: ${outcome.backup})` : ''}`,
    )
    if (outcome.movedNames.length > 0) {
      const where = outcome.secretsFile ?? 'the OS keychain (service mcp-pa)'
      console.error(
        `  moved ${outcome.movedNames.join(', ')} to ${where}; rotate them, they were exposed`,
      )
    }
    for (const line of outcome.chmods) console.error(`  chmod ${line}`)
    for (const line of outcome.gitignore) console.error(`  ignored ${line}`)
  }
  return outcomes
}
