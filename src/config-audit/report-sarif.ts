import { createHash } from 'node:crypto'
import { isAbsolute, sep } from 'node:path'
import { pathToFileURL } from 'node:url'
import { RULES } from './rules/index.js'
import type { AuditResult } from './run.js'
import { displayPath } from './report-text.js'
import type { Finding, Rule } from './types.js'

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json'

/** An artifact URI: relative (forward slashes) inside cwd, else a file: URL. */
export function artifactUri(path: string, cwd: string): string {
  const shown = displayPath(path, cwd)
  return isAbsolute(shown) ? pathToFileURL(shown).href : shown.split(sep).join('/')
}

function sarifRule(rule: Rule) {
  return {
    id: rule.id,
    name: rule.id
      .split('-')
      .map((word) => word.charAt(0).toUpperCase() + word.slice(1))
      .join(''),
    shortDescription: { text: rule.title },
    fullDescription: { text: rule.description },
    help: { text: rule.fixHint, markdown: `**How to fix:** ${rule.fixHint}` },
    defaultConfiguration: { level: rule.severity },
    properties: { tags: ['security', 'mcp'] },
  }
}

function sarifResult(finding: Finding, cwd: string, rules: readonly Rule[]) {
  const uri = artifactUri(finding.file, cwd)
  const fingerprint = createHash('sha256')
    .update(`${finding.ruleId}\0${uri}\0${finding.jsonPath}\0${finding.message}`)
    .digest('hex')
  const masked = finding.maskedValue ? ` (value: ${finding.maskedValue})` : ''
  return {
    ruleId: finding.ruleId,
    ruleIndex: Math.max(
      0,
      rules.findIndex((rule) => rule.id === finding.ruleId),
    ),
    level: finding.severity,
    message: { text: `${finding.message}${masked} Fix: ${finding.fixHint}` },
    locations: [
      {
        physicalLocation: {
          artifactLocation: { uri },
          region: { startLine: finding.line, startColumn: finding.column },
        },
        ...(finding.jsonPath
          ? { logicalLocations: [{ fullyQualifiedName: finding.jsonPath, kind: 'member' }] }
          : {}),
      },
    ],
    partialFingerprints: { 'mcpPaFinding/v1': fingerprint },
  }
}

/** `--format sarif`: SARIF 2.1.0 for GitHub code scanning and other viewers. */
export function renderSarif(
  result: AuditResult,
  cwd: string,
  version: string,
  rules: readonly Rule[] = RULES,
): string {
  const log = {
    $schema: SARIF_SCHEMA,
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'mcp-pa audit',
            semanticVersion: version,
            rules: rules.map(sarifRule),
          },
        },
        results: result.findings.map((finding) => sarifResult(finding, cwd, rules)),
        columnKind: 'utf16CodeUnits',
      },
    ],
  }
  return JSON.stringify(log, null, 2)
}
