/**
 * The MCP client-config auditor: discovery of client config files, one rule per file under
 * rules/, text/JSON/SARIF reporters, and safe fixes. Imports only from src/config.
 */

/** Finds the config files, reads them and runs every rule; the threshold check for exit codes. */
export { auditConfigs, runRules, failsAt } from './run.js'
export type { AuditOptions, AuditResult } from './run.js'
/** The known config locations per OS, and discovery of the ones that exist. */
export { knownConfigPaths, discoverConfigFiles } from './discover.js'
export type { DiscoverOptions } from './discover.js'
/** Every rule, in report order. */
export { RULES, ruleById } from './rules/index.js'
/** Reporters. */
export { renderText } from './report-text.js'
export { renderJson } from './report-json.js'
export { renderSarif } from './report-sarif.js'
/** `--fix`: plan, preview (dry run), apply with backup and rollback; the optional keychain. */
export { fixFindings } from './fix/run-fixes.js'
export type { FixOptions, FixOutcome } from './fix/run-fixes.js'
export { FixError } from './fix/apply.js'
export { openKeychain } from './fix/keychain.js'
/** Shared vocabulary. */
export { SEVERITY_RANK } from './types.js'
export type { Finding, Rule, Severity } from './types.js'
