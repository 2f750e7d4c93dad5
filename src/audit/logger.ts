import { pino, type Logger, type DestinationStream } from 'pino'

/** Log levels accepted by the configuration (pino's, plus `silent`). */
export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent'

/**
 * Paths pino censors in every record, wherever a caller puts them by mistake. Values that are
 * `Secret` wrappers print `[redacted]` on their own; this list is the second belt.
 */
export const REDACT_PATHS = [
  'password',
  'secret',
  'token',
  'access_token',
  'refresh_token',
  'authorization',
  'api_key',
  'apiKey',
  'client_secret',
  'connection_string',
  'connectionString',
  '*.password',
  '*.secret',
  '*.token',
  '*.access_token',
  '*.refresh_token',
  '*.authorization',
  '*.api_key',
  '*.apiKey',
  '*.client_secret',
  '*.connection_string',
  '*.connectionString',
  'headers.authorization',
  'req.headers.authorization',
  'req.headers.cookie',
  'headers.cookie',
  'headers["set-cookie"]',
  'cookie',
  'cookies',
  'introspection_client_secret',
  'tls_key',
  'private_key',
  'privateKey',
  '*.cookie',
  '*.introspection_client_secret',
  '*.tls_key',
  '*.private_key',
  '*.privateKey',
]

/**
 * Structured JSON logs to stderr (fd 2). In stdio mode stdout is the JSON-RPC channel, so no
 * log line may ever go there: the destination is fixed unless a test passes its own stream.
 */
export function createLogger(options: {
  level: LogLevel
  destination?: DestinationStream
}): Logger {
  return pino(
    {
      level: options.level,
      base: { app: 'mcp-pa' },
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    options.destination ?? pino.destination({ fd: 2, sync: true }),
  )
}

export type { Logger }
