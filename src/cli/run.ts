import { isConfigError } from '../config/index.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'
import { VERSION } from './version.js'

type Command = (argv: string[], env: CliEnv) => Promise<number>

/** Each command loads on demand, so `serve` starts without the auditor's code and vice versa. */
const COMMANDS: Record<string, () => Promise<Command>> = {
  serve: async () => (await import('./serve.js')).serve,
  init: async () => (await import('./init.js')).init,
  config: async () => (await import('./config-check.js')).configCommand,
  audit: async () => (await import('./audit.js')).audit,
  login: async () => (await import('./login.js')).loginCommand,
  logout: async () => (await import('./logout.js')).logout,
  status: async () => (await import('./status.js')).status,
  tools: async () => (await import('./tools.js')).toolsCommand,
  call: async () => (await import('./call.js')).callCommand,
  proxy: async () => (await import('./proxy.js')).proxyCommand,
  conformance: async () => (await import('./conformance.js')).conformance,
  users: async () => (await import('./users.js')).usersCommand,
  clients: async () => (await import('./clients.js')).clientsCommand,
  grants: async () => (await import('./grants.js')).grantsCommand,
  keys: async () => (await import('./keys.js')).keysCommand,
}

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
    const load = Object.hasOwn(COMMANDS, command) ? COMMANDS[command] : undefined
    if (load === undefined) {
      throw new CliError(
        `unknown command "${command}". Run "mcp-pa --help" for the list.`,
        EXIT.usage,
      )
    }
    const run = await load()
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
