/**
 * The configuration error vocabulary: every problem found while loading or resolving the
 * configuration is one issue with the JSON path it concerns, what is wrong (the KIND of a bad
 * value, never a secret's value) and how to fix it. All issues are reported together.
 */
export interface ConfigIssue {
  /** JSON path of the key, like `database.pool_size`; empty for a problem with the whole file. */
  readonly path: string
  /** What is wrong, e.g. `expected a whole number from 1 to 100, got a string`. */
  readonly problem: string
  /** What to do about it. */
  readonly fix: string
  /** Where the bad value came from when it is not the error's source, e.g. `env MCP_PORT`. */
  readonly source?: string
}

export class ConfigError extends Error {
  override readonly name = 'ConfigError'
  readonly issues: readonly ConfigIssue[]
  /** The configuration file, a secret reference, or `environment` when there is no file. */
  readonly source: string

  constructor(issues: readonly ConfigIssue[], source: string) {
    super(formatIssues(issues, source))
    this.issues = issues
    this.source = source
  }

  /** One readable line per issue: `<source>: <path>: <problem>. Fix: <fix>`. */
  format(): string {
    return formatIssues(this.issues, this.source)
  }
}

export function isConfigError(value: unknown): value is ConfigError {
  return value instanceof ConfigError
}

function sentence(text: string): string {
  return /[.!?]$/.test(text) ? text : `${text}.`
}

function formatIssues(issues: readonly ConfigIssue[], source: string): string {
  return issues
    .map((issue) => {
      const where = issue.path ? `${issue.path}: ` : ''
      return `${issue.source ?? source}: ${where}${sentence(issue.problem)} Fix: ${sentence(issue.fix)}`
    })
    .join('\n')
}
