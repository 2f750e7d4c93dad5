import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

/**
 * The whole-run log check (issue 3, item 7): test files record every log line their servers
 * wrote and every secret they created (tokens, client secrets, passwords) in a directory made
 * here; after the run, no secret may appear in any log line. The directory is removed at the
 * end, so the secrets (generated at test time) never outlive the run.
 */
export async function setup(): Promise<() => Promise<void>> {
  const dir = await mkdtemp(join(tmpdir(), 'mcp-pa-log-sentinel-'))
  process.env.MCP_PA_LOG_SENTINEL_DIR = dir
  return async () => {
    try {
      const files = await readdir(dir)
      const read = (suffix: string) =>
        Promise.all(
          files
            .filter((f) => f.endsWith(suffix))
            .map(async (f) => ({ file: f, text: await readFile(join(dir, f), 'utf8') })),
        )
      const secrets = (await read('.secrets'))
        .flatMap(({ text }) => text.split('\n'))
        .filter((s) => s.length >= 8)
      const logs = await read('.log')
      const leaks: string[] = []
      for (const { file, text } of logs) {
        for (const secret of secrets) {
          if (text.includes(secret)) leaks.push(`${file}: a secret of ${secret.length} characters`)
        }
      }
      const lines = logs.reduce((n, { text }) => n + text.split('\n').length - 1, 0)
      if (leaks.length > 0) {
        throw new Error(`secrets leaked into logs during the test run:\n${leaks.join('\n')}`)
      }
      if (logs.length > 0) {
        console.log(
          `log sentinel: ${lines} log lines from ${logs.length} files checked against ${secrets.length} secrets: none leaked`,
        )
      }
    } finally {
      await rm(dir, { recursive: true, force: true })
    }
  }
}
