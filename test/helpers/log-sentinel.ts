import { appendFileSync } from 'node:fs'
import { basename, join } from 'node:path'
import { randomUUID } from 'node:crypto'

/**
 * Records log text and secrets for the whole-run check in test/global-setup.ts. Without the
 * global setup (a single file run by hand) it keeps everything in memory and `assertClean`
 * still checks this file's own logs.
 */
export function logSentinel(testFile: string) {
  const dir = process.env.MCP_PA_LOG_SENTINEL_DIR
  const stem = `${basename(testFile)}-${randomUUID().slice(0, 8)}`
  const secrets = new Set<string>()
  let logs = ''
  return {
    /** A token, client secret or password the test created. */
    secret(value: string): string {
      secrets.add(value)
      if (dir !== undefined) appendFileSync(join(dir, `${stem}.secrets`), `${value}\n`)
      return value
    },
    /** Log text a server wrote (stderr of a spawned server, a memory stream …). */
    log(text: string): void {
      logs += text
      if (dir !== undefined) appendFileSync(join(dir, `${stem}.log`), text)
    },
    /** Fails when any recorded secret appears in this file's recorded logs. */
    assertClean(): void {
      const leaked = [...secrets].filter((s) => logs.includes(s))
      if (leaked.length > 0) {
        throw new Error(`${leaked.length} secret(s) appear in the server logs of ${testFile}`)
      }
    },
    logText: () => logs,
  }
}
