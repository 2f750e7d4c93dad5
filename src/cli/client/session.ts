/**
 * The connection `tools` and `call` share: flags → {@link connectClient} with the token store,
 * logging in through a browser only when a person is at the terminal (mode `never` otherwise,
 * whose error says to run `mcp-pa login`). SDK errors become CliErrors with their message.
 */
import { SdkError, ProtocolError } from '@modelcontextprotocol/client'
import type { Client } from '@modelcontextprotocol/client'
import { CliError, EXIT } from '../exit-codes.js'
import type { CliEnv } from '../load.js'
import { connectClient } from './connection.js'
import {
  asCliError,
  fetchOptionsFrom,
  interactiveMode,
  openClientStore,
  printLine,
} from './options.js'

/** Runs `fn` with a connected client and closes it, whatever happens. */
export async function withClient<T>(
  serverUrl: string,
  values: { timeout?: string | undefined; 'dangerously-allow-http'?: boolean | undefined },
  env: CliEnv,
  fn: (client: Client) => Promise<T>,
): Promise<T> {
  const fetchOptions = fetchOptionsFrom(values)
  const store = await openClientStore(env)
  let connected: Awaited<ReturnType<typeof connectClient>> | undefined
  try {
    connected = await connectClient({
      serverUrl,
      store,
      mode: interactiveMode(),
      print: printLine,
      fetchOptions,
    })
    return await fn(connected.client)
  } catch (error) {
    throw sdkToCliError(error, serverUrl)
  } finally {
    await connected?.close().catch(() => undefined)
  }
}

/** The OAuth client's and the SDK's errors as CliErrors (exit 1); the message says what failed. */
export function sdkToCliError(error: unknown, serverUrl: string): unknown {
  const converted = asCliError(error)
  if (converted !== error) return converted
  // The OAuth errors may arrive wrapped by the SDK transport.
  const cause = error instanceof Error ? error.cause : undefined
  if (cause !== undefined) {
    const fromCause = asCliError(cause)
    if (fromCause !== cause) return fromCause
  }
  if (error instanceof ProtocolError || error instanceof SdkError) {
    return new CliError(`${serverUrl}: ${error.message}`, EXIT.failure)
  }
  if (error instanceof TypeError && /fetch failed/i.test(error.message)) {
    return new CliError(
      `could not reach ${serverUrl} (${describeCause(error)}); check the URL and that the server is running`,
      EXIT.failure,
    )
  }
  return error
}

function describeCause(error: Error): string {
  let cause: unknown = error.cause
  for (let depth = 0; depth < 5 && cause instanceof Error; depth++) {
    if ('code' in cause && typeof cause.code === 'string') return cause.code
    const next: unknown =
      cause.cause ?? (cause instanceof AggregateError ? cause.errors[0] : undefined)
    if (!(next instanceof Error)) return cause.message
    cause = next
  }
  return error.message
}
