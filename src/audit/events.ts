import type { Logger } from './logger.js'

/**
 * Every audit event the product emits, as one closed union. Later issues add the OAuth
 * events (token issued/refused, client registered, rate limited …); docs/events.md lists them.
 */
export type AuditEvent =
  | { type: 'server.started'; mode: 'local' | 'http'; storage: string }
  | { type: 'server.stopped'; reason: string }
  | { type: 'tool.called'; tool: string; userId: string; ok: boolean; ms: number; error?: string }
  | { type: 'tool.failed'; tool: string; userId: string; reference: string; detail: string }

/** Where audit events go. */
export interface AuditSink {
  emit(event: AuditEvent): void
}

/** Audit events as structured log records (`audit: true`) on the given logger. */
export function loggerAuditSink(logger: Logger): AuditSink {
  return {
    emit(event) {
      const level = event.type === 'tool.failed' ? 'error' : 'info'
      logger[level]({ audit: true, ...event }, event.type)
    },
  }
}

/** A sink that keeps events in memory (tests, and the e2e suite's assertions). */
export function memoryAuditSink(): AuditSink & { events: AuditEvent[] } {
  const events: AuditEvent[] = []
  return { events, emit: (event) => void events.push(event) }
}
