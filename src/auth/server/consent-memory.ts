import type { ArtifactStore } from '../../storage/ports.js'

const MODEL = 'ConsentMemory'

const idOf = (accountId: string, clientId: string) => JSON.stringify([accountId, clientId])

/**
 * Remembered consents ("remember my decision for this app"): which grant an account approved for
 * a client, kept for `consent_remember_days`. While one exists and its grant still covers what a
 * client asks for, the consent page is skipped; without one every authorization asks again. The
 * grant itself lives as long as its refresh tokens need it, whatever is remembered.
 */
export function consentMemory(store: ArtifactStore) {
  return {
    async find(accountId: string, clientId: string): Promise<string | undefined> {
      const found = await store.find(MODEL, idOf(accountId, clientId))
      const grantId = found?.payload.grantId
      return typeof grantId === 'string' ? grantId : undefined
    },
    async remember(
      accountId: string,
      clientId: string,
      grantId: string,
      days: number,
    ): Promise<void> {
      if (days <= 0) return
      await store.upsert(
        MODEL,
        idOf(accountId, clientId),
        { accountId, clientId, grantId },
        days * 86_400,
      )
    },
    async forget(accountId: string, clientId: string): Promise<void> {
      await store.destroy(MODEL, idOf(accountId, clientId))
    },
  }
}
