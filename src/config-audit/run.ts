import { discoverConfigFiles, type DiscoverOptions } from './discover.js'
import { isReadFailure, loadConfigFile, type ReadFailure } from './load.js'
import { RULES } from './rules/index.js'
import { unreadableConfig } from './rules/unreadable-config.js'
import { lineLocator } from './tree.js'
import { SEVERITY_RANK, type Finding, type ParsedFile, type Rule, type Severity } from './types.js'

export interface AuditOptions extends DiscoverOptions {
  /** Paths named on the command line (relative to cwd). */
  paths?: string[]
  /** Look in the known locations too (default true). */
  discover?: boolean
  rules?: readonly Rule[]
}

export interface AuditResult {
  files: ParsedFile[]
  failures: ReadFailure[]
  findings: Finding[]
}

/** Finds the config files, reads them, runs every rule; never throws for a bad file. */
export async function auditConfigs(options: AuditOptions): Promise<AuditResult> {
  const candidates = await discoverConfigFiles(
    options,
    options.paths ?? [],
    options.discover ?? true,
  )
  const files: ParsedFile[] = []
  const failures: ReadFailure[] = []
  for (const candidate of candidates) {
    const loaded = await loadConfigFile(candidate, options)
    if (isReadFailure(loaded)) failures.push(loaded)
    else files.push(loaded)
  }
  const findings: Finding[] = failures.map((failure) => ({
    ruleId: unreadableConfig.id,
    severity: unreadableConfig.severity,
    file: failure.candidate.path,
    jsonPath: '',
    line: failure.line,
    column: failure.column,
    message: failure.message,
    fixHint: unreadableConfig.fixHint,
    fixable: false,
  }))
  for (const file of files) findings.push(...runRules(file, options, options.rules ?? RULES))
  return { files, failures, findings }
}

/** Runs the rules over one parsed file. */
export function runRules(
  file: ParsedFile,
  options: Pick<AuditOptions, 'env' | 'platform'>,
  rules: readonly Rule[] = RULES,
): Finding[] {
  const at = lineLocator(file.text)
  const ctx = {
    file,
    env: options.env,
    platform: options.platform,
    locate: (node: { offset: number }) => at(node.offset),
  }
  return rules.flatMap((rule) => rule.check(ctx))
}

/** True when some finding is at or above `threshold`. */
export function failsAt(findings: readonly Finding[], threshold: Severity): boolean {
  return findings.some((finding) => SEVERITY_RANK[finding.severity] >= SEVERITY_RANK[threshold])
}
