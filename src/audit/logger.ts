import { pino, type Logger, type DestinationStream } from 'pino'

/** Log levels accepted by the configuration (pino's, plus `silent`). */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Names whose values the logger censors in every record, wherever a caller puts them by
 * mistake: at the top level and in plain objects nested up to {@link CENSOR_DEPTH} levels down
 * (`headers.authorization`, `req.headers.cookie`, `upstream.client_secret` …). Values that are
 * `Secret` wrappers print `[redacted]` on their own; this list is the second belt.
 */
export const SENSITIVE_KEYS: ReadonlySet<string> = new Set([
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'id_token',
  'authorization',
  'api_key',
  'apiKey',
  'client_secret',
  'connection_string',
  'connectionString',
  'cookie',
  'cookies',
  'set-cookie',
  'introspection_client_secret',
  'tls_key',
  'private_key',
  'privateKey',
])

/** How many levels of nested plain objects are searched (the record itself is level 1). */
export const CENSOR_DEPTH = 4

const CENSORED = '[redacted]'

const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false
  const prototype = Object.getPrototypeOf(value) as unknown
  return prototype === Object.prototype || prototype === null
}

/**
 * The record with every {@link SENSITIVE_KEYS} value replaced by `[redacted]`. The caller's
 * objects are never changed: an object with something to censor is copied (only along the path
 * to it), and one with nothing to censor is returned as it is. One pass over the keys, which
 * costs a small fraction of pino's path-based redaction (25 µs a record with our paths).
 */
export function censorRecord(record: Record<string, unknown>, level = 1): Record<string, unknown> {
  let copy: Record<string, unknown> | undefined
  for (const key of Object.keys(record)) {
    const value = record[key]
    let next = value
    if (SENSITIVE_KEYS.has(key)) {
      if (value !== undefined && value !== null) next = CENSORED
    } else if (level < CENSOR_DEPTH && isPlainObject(value)) {
      next = censorRecord(value, level + 1)
    }
    if (next !== value) {
      copy ??= { ...record }
      copy[key] = next
    }
  }
  return copy ?? record
}

/**
 * Structured JSON logs to stderr (fd 2). In stdio mode stdout is the JSON-RPC channel, so no
 * log line may ever go there: the destination is fixed unless a test passes its own stream.
 */
export function createLogger(options: {
  level: LogLevel
  destination?: DestinationStream
}): Logger {
  const logger = pino(
    {
      level: options.level,
      base: { app: 'mcp-pa' },
      formatters: { log: censorRecord },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  )
  // A child's bindings are written once, when it is made (pino applies no formatter to them):
  // censored here. Children inherit this method, so grandchildren are covered too.
  const plainChild = logger.child
  logger.child = function child(this: Logger, bindings, childOptions) {
    return plainChild.call(this, censorRecord(bindings), childOptions)
  } as Logger['child']
  return logger
}

export type { Logger }
