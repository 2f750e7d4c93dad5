import type { AuditSink } from '../../audit/index.js'
import type { ArtifactStore } from '../../storage/ports.js'

/**
 * Unused dynamic registrations (issue 4): a DCR client carries `mcp_pa_reap_after` from its
 * registration; the first token it obtains marks it used (`mcp_pa_used_at`), and a client still
 * unused after that time is deleted by the upkeep, with an audit event. Admin-added clients and
 * clients identified by metadata documents are never reaped.
 */
export async function markClientUsed(
  store: ArtifactStore,
  clientId: string,
  now: number = Date.now(),
): Promise<void> {
  const found = await store.find('Client', clientId)
  const payload = found?.payload
  if (
    payload === undefined ||
    payload.mcp_pa_origin !== 'dcr' ||
    payload.mcp_pa_used_at !== undefined
  ) {
    return
  }
  await store.upsert('Client', clientId, { ...payload, mcp_pa_used_at: now })
}

/** Deletes DCR clients never used before their `mcp_pa_reap_after`; returns their ids. */
export async function reapUnusedClients(
  store: ArtifactStore,
  audit: AuditSink,
  now: number = Date.now(),
): Promise<string[]> {
  const reaped: string[] = []
  for (const client of await store.list('Client', { limit: 1000 })) {
    const { payload } = client
    const reapAfter = payload.mcp_pa_reap_after
    if (payload.mcp_pa_origin !== 'dcr' || payload.mcp_pa_used_at !== undefined) continue
    if (typeof reapAfter !== 'number' || reapAfter > now) continue
    const clientId = String(payload.client_id)
    await store.destroy('Client', clientId)
    audit.emit({ type: 'as.client_reaped', clientId, via: 'dcr' })
    reaped.push(clientId)
  }
  return reaped
}
