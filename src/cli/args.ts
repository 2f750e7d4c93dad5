import { parseArgs, type ParseArgsConfig } from 'node:util'
import { CliError, EXIT } from './exit-codes.js'

type Options = NonNullable<ParseArgsConfig['options']>

/** Parses flags strictly; an unknown flag or a missing value is a usage error that names it. */
export function parseFlags<O extends Options>(
  command: string,
  argv: string[],
  options: O,
  allowPositionals = false,
) {
  try {
    return parseArgs({ args: argv, options, allowPositionals, strict: true })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new CliError(`${reason}\nRun "mcp-pa ${command} --help" for the options.`, EXIT.usage)
  }
}
