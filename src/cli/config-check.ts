import { renderEffectiveConfig } from '../config/index.js'
import { parseFlags } from './args.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import { loadEffectiveConfig, type CliEnv } from './load.js'

/** `mcp-pa config check`: validates and prints the effective configuration, secrets redacted. */
export async function configCommand(argv: string[], env: CliEnv): Promise<number> {
  const [sub, ...rest] = argv
  if (sub === undefined || sub === '--help' || sub === '-h') {
    console.log(HELP.config)
    return sub === undefined ? EXIT.usage : EXIT.ok
  }
  if (sub !== 'check') {
    throw new CliError(
      `unknown subcommand "config ${sub}": the only one is "config check"`,
      EXIT.usage,
    )
  }
  const { values } = parseFlags('config check', rest, {
    config: { type: 'string', short: 'c' },
    help: { type: 'boolean', short: 'h' },
  })
  if (values.help) {
    console.log(HELP.config)
    return EXIT.ok
  }
  const { config, source, warnings } = await loadEffectiveConfig(values.config, env)
  console.error(
    `Configuration is valid (file: ${source ?? 'none, defaults and environment only'}).`,
  )
  for (const warning of warnings) console.error(`warning: ${warning}`)
  console.log(renderEffectiveConfig(config))
  return EXIT.ok
}
