import type { Node } from 'jsonc-parser'
import { formatJsonPath } from './json-path.js'
import type { Finding, FixAction, JsonPath, Rule, RuleContext, Severity } from './types.js'

/** Builds a finding of `rule` at `node`, with the rule's defaults unless overridden. */
export function findingAt(
  rule: Pick<Rule, 'id' | 'severity' | 'fixHint'>,
  ctx: RuleContext,
  node: Node | undefined,
  path: JsonPath,
  message: string,
  extra: { severity?: Severity; fixHint?: string; fix?: FixAction; maskedValue?: string } = {},
): Finding {
  const { line, column } = node ? ctx.locate(node) : { line: 1, column: 1 }
  const finding: Finding = {
    ruleId: rule.id,
    severity: extra.severity ?? rule.severity,
    file: ctx.file.candidate.path,
    jsonPath: formatJsonPath(path),
    line,
    column,
    message,
    fixHint: extra.fixHint ?? rule.fixHint,
    fixable: extra.fix !== undefined,
  }
  if (extra.maskedValue !== undefined) finding.maskedValue = extra.maskedValue
  if (extra.fix !== undefined) finding.fix = extra.fix
  return finding
}
