import type { Logger } from './logger.js'

/**
 * Every audit event the product emits, as one closed union. Later issues add the OAuth
 * events (token issued/refused, client registered, rate limited …); docs/events.md lists them.
 */
export type AuditEvent =
  | { type: 'server.started'; mode: 'local' | 'http'; storage: string; url?: string }
  | { type: 'server.stopped'; reason: string }
  /** A token passed verification (once per token and instance, not on every request). */
  | {
      type: 'auth.token_accepted'
      fingerprint: string
      issuer: string
      subject: string
      userId: string
      clientId?: string
      scopes: string[]
    }
  /** A request to the MCP endpoint was refused by the guard. `reason` is `missing` or an OAuth code. */
  | {
      type: 'auth.token_refused'
      reason: string
      detail?: string
      fingerprint?: string
      ip: string
    }
  /** A verified token lacked scopes for the call (403 insufficient_scope). */
  | {
      type: 'auth.scope_refused'
      fingerprint: string
      userId: string
      needed: string[]
      granted: string[]
      methods: string[]
    }
  /** A request was over its rate limit (429). */
  | {
      type: 'http.rate_limited'
      bucket: 'token' | 'ip' | 'oauth' | 'registration'
      key: string
      route: string
      retryAfterSeconds: number
    }
  /** A request to the MCP endpoint came from a foreign Origin or Host (403). */
  | { type: 'http.origin_refused'; header: 'origin' | 'host'; value: string; ip: string }
  /** Built-in authorization server (docs/events.md). Grants and tokens appear only as fingerprints. */
  | { type: 'as.login_succeeded'; accountId: string; ip: string }
  | {
      type: 'as.login_failed'
      reason: 'invalid_credentials' | 'locked' | 'disabled' | 'rate_limited'
      ip: string
      accountId?: string
    }
  | {
      type: 'as.consent_granted'
      accountId: string
      clientId: string
      scopes: string[]
      resource?: string
      remembered: boolean
    }
  | { type: 'as.consent_denied'; accountId: string; clientId: string }
  | {
      type: 'as.token_issued'
      grantType: string
      clientId: string
      accountId?: string
      grant?: string
      fingerprint: string
      refreshFingerprint?: string
      scopes: string[]
      audience?: string
    }
  | {
      type: 'as.token_refreshed'
      clientId: string
      grant?: string
      fingerprint: string
      replayed: boolean
    }
  | {
      type: 'as.token_revoked'
      clientId: string
      kind: 'access_token' | 'refresh_token' | 'grant'
      fingerprint: string
      by: 'client' | 'user' | 'admin'
    }
  | { type: 'as.refresh_reuse_detected'; clientId: string; grant?: string; fingerprint: string }
  | { type: 'as.code_replay_detected'; clientId: string; grant?: string }
  | {
      type: 'as.client_registered'
      clientId: string
      via: 'dcr' | 'admin' | 'cimd'
      authMethod: string
      ip?: string
    }
  | { type: 'as.client_reaped'; clientId: string; via: 'dcr' }
  | { type: 'as.client_revoked'; clientId: string; grants: number }
  | { type: 'as.key_rotated'; kid: string; previousKid?: string }
  | {
      type: 'as.account_changed'
      accountId: string
      change: 'created' | 'disabled' | 'enabled' | 'password_reset'
    }
  | { type: 'tool.called'; tool: string; userId: string; ok: boolean; ms: number; error?: string }
  | { type: 'tool.failed'; tool: string; userId: string; reference: string; detail: string }

const WARNINGS: ReadonlySet<AuditEvent['type']> = new Set([
  'auth.scope_refused',
  'as.login_failed',
  'as.refresh_reuse_detected',
  'as.code_replay_detected',
  'http.rate_limited',
  'http.origin_refused',
])

/** Where audit events go. */
export interface AuditSink {
  emit(event: AuditEvent): void
}

/** Audit events as structured log records (`audit: true`) on the given logger. */
export function loggerAuditSink(logger: Logger): AuditSink {
  return {
    emit(event) {
      const level =
        event.type === 'tool.failed' ? 'error' : WARNINGS.has(event.type) ? 'warn' : 'info'
      logger[level]({ audit: true, ...event }, event.type)
    },
  }
}

/** A sink that keeps events in memory (tests, and the e2e suite's assertions). */
export function memoryAuditSink(): AuditSink & { events: AuditEvent[] } {
  const events: AuditEvent[] = []
  return { events, emit: (event) => void events.push(event) }
}
