/** Exit codes of every mcp-pa command (documented in the README). */
export const EXIT = Object.freeze({
  ok: 0,
  /** Something failed at run time: database unreachable, a file could not be written … */
  failure: 1,
  /** The command line was wrong: unknown command or flag, missing argument. */
  usage: 2,
  /** The configuration is invalid; the message names the key and the fix. */
  config: 3,
})

/** An error whose message is written for the person at the terminal, with its exit code. */
export class CliError extends Error {
  override readonly name = 'CliError'
  readonly exitCode: number
  constructor(message: string, exitCode: number) {
    super(message)
    this.exitCode = exitCode
  }
}
