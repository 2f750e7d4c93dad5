import { setTimeout as sleep } from 'node:timers/promises'
import {
  isJSONRPCRequest,
  isJSONRPCResultResponse,
  StreamableHTTPClientTransport,
} from '@modelcontextprotocol/client'
import type { JSONRPCMessage } from '@modelcontextprotocol/client'
import { StdioServerTransport } from '@modelcontextprotocol/server/stdio'
import { parseFlags } from './args.js'
import { authorizedFetch } from './client/connection.js'
import {
  asCliError,
  fetchOptionsFrom,
  NETWORK_FLAGS,
  openClientStore,
  serverUrlArgument,
} from './client/options.js'
import type { ConnectionMode } from './client/types.js'
import { EXIT } from './exit-codes.js'
import { HELP } from './help.js'
import type { CliEnv } from './load.js'

/** JSON-RPC error code of a request the proxy could not forward (implementation-defined range). */
const FORWARD_FAILED = -32_001

/** Diagnostics: stderr only, stdout carries nothing but JSON-RPC. */
function log(line: string): void {
  process.stderr.write(`mcp-pa proxy: ${line}\n`)
}

/**
 * How a re-authorization may happen while proxying. stdin is the JSON-RPC channel, so the
 * terminal is never read: a browser opens (the URL is also printed on stderr) when a person is
 * there (a TTY) or `--browser-login` says so (a desktop app on the user's machine); otherwise
 * a request that needs a login fails with "run mcp-pa login <url>".
 */
function proxyMode(browserLogin: boolean): ConnectionMode {
  return browserLogin || process.stderr.isTTY === true || process.stdin.isTTY === true
    ? 'browser'
    : 'never'
}

function messageOf(error: unknown): string {
  const converted = asCliError(error)
  if (converted instanceof Error) return converted.message
  if (error instanceof Error && error.cause instanceof Error) {
    const cause = asCliError(error.cause)
    if (cause instanceof Error && cause !== error.cause) return cause.message
  }
  return error instanceof Error ? error.message : String(error)
}

/**
 * `mcp-pa proxy <url>`: a stdio ⇄ Streamable HTTP bridge for desktop apps that only speak stdio.
 * Newline-delimited JSON-RPC from stdin goes to the server over `authorizedFetch` (the stored
 * token, refreshed ahead of expiry, step-up on 403); the server's answers, requests and
 * notifications (POST responses and the GET stream) come back on stdout. A request that cannot
 * be forwarded gets a JSON-RPC error whose message says what to do. Ends on stdin EOF, SIGTERM
 * or SIGINT, ending the server session first.
 */
export async function proxyCommand(argv: string[], env: CliEnv): Promise<number> {
  const { values, positionals } = parseFlags(
    'proxy',
    argv,
    { ...NETWORK_FLAGS, 'browser-login': { type: 'boolean' } },
    true,
  )
  if (values.help) {
    console.log(HELP.proxy)
    return EXIT.ok
  }
  const serverUrl = serverUrlArgument('proxy', positionals)
  const fetchOptions = fetchOptionsFrom(values)
  const store = await openClientStore(env)
  const fetch = authorizedFetch({
    serverUrl,
    store,
    mode: proxyMode(values['browser-login'] === true),
    print: (line) => process.stderr.write(`${line}\n`),
    fetchOptions,
  })
  const http = new StreamableHTTPClientTransport(new URL(serverUrl), { fetch })
  const stdio = new StdioServerTransport()
  /** Ids of `initialize` requests in flight: their result sets the protocol version header. */
  const initializing = new Set<string | number>()

  const toClient = (message: JSONRPCMessage) => {
    if (isJSONRPCResultResponse(message) && initializing.delete(message.id)) {
      const version = (message.result as { protocolVersion?: unknown }).protocolVersion
      if (typeof version === 'string') http.setProtocolVersion(version)
    }
    stdio
      .send(message)
      .catch((error: unknown) => log(`cannot write to stdout: ${messageOf(error)}`))
  }

  stdio.onmessage = (message) => {
    if (isJSONRPCRequest(message) && message.method === 'initialize') {
      initializing.add(message.id)
    }
    http.send(message).catch((error: unknown) => {
      const reason = messageOf(error)
      log(reason)
      if (isJSONRPCRequest(message)) {
        initializing.delete(message.id)
        toClient({
          jsonrpc: '2.0',
          id: message.id,
          error: { code: FORWARD_FAILED, message: `mcp-pa proxy: ${reason}` },
        })
      }
    })
  }
  stdio.onerror = (error) => log(`ignored a message from stdin: ${messageOf(error)}`)
  http.onmessage = toClient
  http.onerror = (error) => log(messageOf(error))

  const stopped = new Promise<string>((resolve) => {
    stdio.onclose = () => resolve('stdin closed')
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      process.once(signal, () => resolve(signal))
    }
  })
  await http.start()
  await stdio.start()
  log(`forwarding stdio to ${serverUrl}`)
  const why = await stopped
  log(`stopping (${why})`)
  await stdio.close().catch(() => undefined)
  if (http.sessionId !== undefined) {
    await Promise.race([
      http.terminateSession().catch(() => undefined),
      sleep(2000, undefined, { ref: false }),
    ])
  }
  await http.close().catch(() => undefined)
  process.stdin.destroy()
  return EXIT.ok
}
