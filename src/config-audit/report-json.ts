import type { AuditResult } from './run.js'
import { countBySeverity, displayPath } from './report-text.js'
import type { Finding } from './types.js'

/** The public shape of a finding: everything but the internal fix plan (which may hold a secret). */
export function publicFinding(finding: Finding, cwd: string) {
  const { ruleId, severity, jsonPath, line, column, message, fixHint, fixable, maskedValue } =
    finding
  return {
    ruleId,
    severity,
    file: displayPath(finding.file, cwd),
    jsonPath,
    line,
    column,
    message,
    fixHint,
    fixable,
    ...(maskedValue === undefined ? {} : { maskedValue }),
  }
}

/** `--format json`: files checked, findings and a summary. */
export function renderJson(result: AuditResult, cwd: string): string {
  return JSON.stringify(
    {
      files: [
        ...result.files.map(({ candidate }) => ({
          ...candidate,
          path: displayPath(candidate.path, cwd),
          readable: true,
        })),
        ...result.failures.map(({ candidate }) => ({
          ...candidate,
          path: displayPath(candidate.path, cwd),
          readable: false,
        })),
      ],
      findings: result.findings.map((finding) => publicFinding(finding, cwd)),
      summary: countBySeverity(result.findings),
    },
    null,
    2,
  )
}
