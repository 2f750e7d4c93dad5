import type { AuditSink } from '../../audit/index.js'
import type { VerifiedToken } from '../../auth/guard/index.js'
import type { UserStore } from '../../storage/ports.js'

const MAX_ENTRIES = 10_000

/**
 * Maps a verified token's identity (issuer, `sub`) to the user row, creating it on first sight,
 * with a bounded in-process cache so a busy user costs no database round trip per request. Emits
 * `auth.token_accepted` once per token and instance (the decision was made when it was verified).
 */
export function createUserDirectory(store: UserStore) {
  const ids = new Map<string, string>()
  const seenTokens = new Map<string, true>()
  const remember = <V>(map: Map<string, V>, key: string, value: V) => {
    if (map.size >= MAX_ENTRIES) map.delete(map.keys().next().value as string)
    map.set(key, value)
  }
  return {
    async idOf(token: VerifiedToken, audit: AuditSink): Promise<string> {
      const key = `${token.issuer}\n${token.subject}`
      let id = ids.get(key)
      if (id === undefined) {
        id = (await store.ensure(token.issuer, token.subject)).id
        remember(ids, key, id)
      }
      if (!seenTokens.has(token.tokenFingerprint)) {
        remember(seenTokens, token.tokenFingerprint, true)
        audit.emit({
          type: 'auth.token_accepted',
          fingerprint: token.tokenFingerprint,
          issuer: token.issuer,
          subject: token.subject,
          userId: id,
          ...(token.clientId === undefined ? {} : { clientId: token.clientId }),
          scopes: token.scopes,
        })
      }
      return id
    },
  }
}
