/** Structured logging to stderr with redaction, audit events, and token fingerprints. */
export { censorRecord, createLogger, SENSITIVE_KEYS } from './logger.js'
export type { Logger, LogLevel } from './logger.js'
export { fingerprint } from './fingerprint.js'
export { loggerAuditSink, memoryAuditSink } from './events.js'
export type { AuditEvent, AuditSink } from './events.js'
