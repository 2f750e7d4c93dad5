import { relative, isAbsolute } from 'node:path'
import type { AuditResult } from './run.js'
import type { Finding, Severity } from './types.js'

/** A path relative to `cwd` when it lies inside it, else as given. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path)
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel) ? rel : path
}

const LABEL: Record<Severity, string> = { error: 'error  ', warning: 'warning', note: 'note   ' }

export function countBySeverity(findings: readonly Finding[]): Record<Severity, number> {
  const counts = { error: 0, warning: 0, note: 0 }
  for (const finding of findings) counts[finding.severity]++
  return counts
}

/** Readable report: findings grouped by file, then a summary line. Secrets appear masked only. */
export function renderText(result: AuditResult, cwd: string): string {
  const lines: string[] = []
  const byFile = new Map<string, Finding[]>()
  for (const file of result.files) byFile.set(file.candidate.path, [])
  for (const finding of result.findings) {
    byFile.set(finding.file, [...(byFile.get(finding.file) ?? []), finding])
  }
  for (const [file, findings] of byFile) {
    lines.push(`${displayPath(file, cwd)}${findings.length === 0 ? ': no findings' : ''}`)
    for (const finding of findings) {
      const where = `${finding.line}:${finding.column}${finding.jsonPath ? ` ${finding.jsonPath}` : ''}`
      lines.push(`  ${LABEL[finding.severity]} ${finding.ruleId}  ${where}`)
      lines.push(
        `    ${finding.message}${finding.maskedValue ? ` (value: ${finding.maskedValue})` : ''}`,
      )
      lines.push(`    fix: ${finding.fixHint}${finding.fixable ? ' [--fix can do this]' : ''}`)
    }
    lines.push('')
  }
  const counts = countBySeverity(result.findings)
  const fixable = result.findings.filter((finding) => finding.fixable).length
  const checked = result.files.length + result.failures.length
  lines.push(
    checked === 0
      ? 'No MCP client configuration found.'
      : `${checked} file${checked === 1 ? '' : 's'} checked: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.note} note(s)` +
          (fixable > 0 ? `; ${fixable} fixable with --fix` : '') +
          '.',
  )
  return lines.join('\n')
}
