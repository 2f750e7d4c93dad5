import type { Rule } from '../types.js'

/**
 * Reported by the runner, not by `check`: a config file that could not be read or is not valid
 * JSON (with comments). Listed here so that reports and docs describe it like any other rule.
 */
export const unreadableConfig: Rule = {
  id: 'unreadable-config',
  severity: 'error',
  title: 'Config file could not be read or parsed',
  description:
    'The file exists (or was named on the command line) but could not be read, or is not valid ' +
    'JSON with comments. The client will probably ignore it or fail, and the auditor cannot check it.',
  fixHint:
    'Fix the syntax at the reported line and column (or the file permissions), then run the audit again.',
  check: () => [],
}
