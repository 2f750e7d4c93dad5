import { isConfigError } from '../config/index.js'
import { audit } from './audit.js'
import { configCommand } from './config-check.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import { init } from './init.js'
import type { CliEnv } from './load.js'
import { serve } from './serve.js'
import { VERSION } from './version.js'

type Command = (argv: string[], env: CliEnv) => Promise<number>

const COMMANDS: Record<string, Command> = { serve, init, config: configCommand, audit }

/** Runs one CLI invocation and returns its exit code; never throws. */
export async function main(argv: string[], env: CliEnv): Promise<number> {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === '--help' || command === '-h' || command === 'help') {
      console.log(HELP.main)
      return command === undefined ? EXIT.usage : EXIT.ok
    }
    if (command === '--version' || command === '-v') {
      console.log(VERSION)
      return EXIT.ok
    }
    const run = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
    if (run === undefined) {
      throw new CliError(
        `unknown command "${command}". Run "mcp-pa --help" for the list.`,
        EXIT.usage,
      )
    }
    return await run(rest, env)
  } catch (error) {
    if (error instanceof CliError) {
      console.error(`mcp-pa: ${error.message}`)
      return error.exitCode
    }
    if (isConfigError(error)) {
      console.error(`mcp-pa: ${error.format()}`)
      return EXIT.config
    }
    // Unexpected: name the failure without a stack trace (set MCP_DEBUG=1 for one).
    const message = error instanceof Error ? error.message : String(error)
    console.error(`mcp-pa: unexpected error: ${message}`)
    if (env.vars.MCP_DEBUG === '1' && error instanceof Error) console.error(error.stack)
    return EXIT.failure
  }
}
