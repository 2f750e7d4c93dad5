import { readFile } from 'node:fs/promises'
import type { CallToolResult } from '@modelcontextprotocol/client'
import { parseFlags } from './args.js'
import { NETWORK_FLAGS, serverUrlArgument } from './client/options.js'
import { withClient } from './client/session.js'
import { callTool } from './client/tool-call.js'
import { CliError, EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** The tool arguments: `--args JSON` or `--args-file F` (`-` is stdin), a JSON object. */
async function readArguments(values: {
  args?: string | undefined
  'args-file'?: string | undefined
}): Promise<Record<string, unknown>> {
  if (values.args !== undefined && values['args-file'] !== undefined) {
    throw new CliError('choose one of --args and --args-file', EXIT.usage)
  }
  let text: string
  let source: string
  if (values.args !== undefined) {
    text = values.args
    source = '--args'
  } else if (values['args-file'] !== undefined) {
    const file = values['args-file']
    source = file === '-' ? 'stdin' : file
    try {
      text = file === '-' ? await readStdin() : await readFile(file, 'utf8')
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message
      throw new CliError(`cannot read the arguments file ${file} (${code})`, EXIT.usage)
    }
  } else {
    return {}
  }
  let parsed: unknown
  try {
    parsed = JSON.parse(text)
  } catch (error) {
    throw new CliError(
      `the arguments in ${source} are not valid JSON (${(error as Error).message}); give an object such as '{"content": "hello"}'`,
      EXIT.usage,
    )
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new CliError(
      `the arguments in ${source} must be a JSON object such as '{"content": "hello"}'`,
      EXIT.usage,
    )
  }
  return parsed as Record<string, unknown>
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = []
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer)
  return Buffer.concat(chunks).toString('utf8')
}

/** The text of a result's content: text blocks as they are, other blocks named. */
function textOf(result: CallToolResult): string {
  return result.content
    .map((block) => {
      if (block.type === 'text') return block.text
      if (block.type === 'resource_link') return `[resource ${block.uri}]`
      if (block.type === 'resource') return `[resource ${block.resource.uri}]`
      return `[${block.type} content]`
    })
    .join('\n')
}

/**
 * `mcp-pa call <url> <tool> [--args JSON | --args-file F] [--json]`: calls one tool and prints
 * its result (its text content, or the whole result as JSON). A tool error exits 1 with its
 * message on stderr.
 */
export async function callCommand(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals } = parseFlags(
    'call',
    argv,
    {
      ...NETWORK_FLAGS,
      json: { type: 'boolean' },
      args: { type: 'string' },
      'args-file': { type: 'string' },
    },
    true,
  )
  if (values.help) {
    console.log(HELP.call)
    return EXIT.ok
  }
  const serverUrl = serverUrlArgument('call', positionals, 1)
  const tool = positionals[1]
  if (tool === undefined || tool === '') {
    throw new CliError(
      `missing the tool name: mcp-pa call ${serverUrl} <tool> --args '{…}' (list them with mcp-pa tools ${serverUrl})`,
      EXIT.usage,
    )
  }
  const args = await readArguments(values)
  const result = await withClient(serverUrl, values, env, (client) => callTool(client, tool, args))
  if (values.json) {
    console.log(JSON.stringify(result, null, 2))
    return result.isError === true ? EXIT.failure : EXIT.ok
  }
  if (result.isError === true) {
    throw new CliError(`the tool ${tool} failed: ${textOf(result) || '(no message)'}`, EXIT.failure)
  }
  const text = textOf(result)
  if (text !== '') console.log(text)
  else if (result.structuredContent !== undefined) {
    console.log(JSON.stringify(result.structuredContent, null, 2))
  }
  return EXIT.ok
}
