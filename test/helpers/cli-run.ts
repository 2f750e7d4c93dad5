import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { once } from 'node:events'
import { expect } from 'vitest'
import { defaultCredentialsDir, openTokenStore } from '../../src/auth/client/store/index.js'
import type { StoredCredentials } from '../../src/auth/client/store/index.js'
import { CLI } from './spawn-client.js'

/** What a run of the built CLI printed, and how it ended. */
export interface CliRun {
  code: number | null
  stdout: string
  stderr: string
}

/** Where every byte the CLI prints goes, and where the tokens it stored are recorded. */
export interface OutputSink {
  log(text: string): void
  secret(value: string): string
}

export interface CliOptions {
  /** Written to the CLI's stdin, which is then closed (stdin is not a terminal either way). */
  input?: string
  env?: Record<string, string>
  /** Killed after this long (default 25 s). */
  timeoutMs?: number
}

const baseEnv = (home: string, extra: Record<string, string> = {}) => ({
  PATH: process.env.PATH ?? '',
  HOME: home,
  ...extra,
})

/** Collects a child's stdout and stderr as text. */
function collect(child: ChildProcessWithoutNullStreams) {
  const out = { stdout: '', stderr: '' }
  child.stdout.on('data', (chunk: Buffer) => (out.stdout += chunk.toString('utf8')))
  child.stderr.on('data', (chunk: Buffer) => (out.stderr += chunk.toString('utf8')))
  return out
}

/** Waits for the child to close, killing it after `timeoutMs`; its exit code. */
async function closed(child: ChildProcessWithoutNullStreams, timeoutMs: number) {
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  const [code] = (await once(child, 'close')) as [number | null]
  clearTimeout(timer)
  return code
}

/** Runs the built CLI to its end with `HOME=home`; all it prints goes to `sink`. */
export async function runCli(
  sink: OutputSink,
  home: string,
  args: string[],
  options: CliOptions = {},
): Promise<CliRun> {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: baseEnv(home, options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin.end(options.input ?? '')
  const out = collect(child)
  const code = await closed(child, options.timeoutMs ?? 25_000)
  sink.log(out.stdout)
  sink.log(out.stderr)
  return { code, ...out }
}

/** A running `mcp-pa login … --no-browser`: the authorization URL it printed, and its end. */
export interface PendingLogin {
  /** The authorization URL, once printed (rejects if the CLI exits first or stays silent). */
  url: Promise<URL>
  /** Waits for the CLI to finish (killed after `timeoutMs`); all it printed goes to the sink. */
  finish(timeoutMs?: number): Promise<CliRun>
  /** Stops the CLI (SIGTERM) and waits for it. */
  cancel(): Promise<CliRun>
}

/**
 * Starts `mcp-pa <args>` (a `login --no-browser`) and watches stderr for the authorization URL
 * at `authorizePath` of a loopback server, which the test then follows as the person would.
 */
export function startLogin(
  sink: OutputSink,
  home: string,
  args: string[],
  options: { urlTimeoutMs?: number; authorizePath?: string } = {},
): PendingLogin {
  const child = spawn(process.execPath, [CLI, ...args], {
    env: baseEnv(home),
    stdio: ['pipe', 'pipe', 'pipe'],
  })
  child.stdin.end()
  const out = collect(child)
  const done = once(child, 'close').then(([code]) => code as number | null)
  const path = (options.authorizePath ?? '/oauth/authorize').replace(/[.*+?^${}()|[\]\\]/g, '\\$&')
  const pattern = new RegExp(`^(http://127\\.0\\.0\\.1:\\d+${path}\\?\\S+)$`, 'm')
  const url = new Promise<URL>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new Error(`no authorization URL:\n${out.stderr}`)),
      options.urlTimeoutMs ?? 20_000,
    )
    child.stderr.on('data', () => {
      const found = pattern.exec(out.stderr)?.[1]
      if (found === undefined) return
      clearTimeout(timer)
      resolve(new URL(found))
    })
    void done.then(() => {
      clearTimeout(timer)
      reject(new Error(`login exited before printing a URL:\n${out.stderr}`))
    })
  })
  const end = async (timeoutMs: number): Promise<CliRun> => {
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
    const code = await done
    clearTimeout(timer)
    sink.log(out.stdout)
    sink.log(out.stderr)
    return { code, ...out }
  }
  return {
    url,
    finish: (timeoutMs = 20_000) => end(timeoutMs),
    cancel: () => {
      child.kill('SIGTERM')
      return end(15_000)
    },
  }
}

/** What the CLI stored in `home` for `resource` (its encrypted file backend); tokens recorded. */
export async function storedCredentials(
  sink: OutputSink,
  home: string,
  resource: string,
): Promise<StoredCredentials | undefined> {
  const store = await openTokenStore({ dir: defaultCredentialsDir(home), preferKeychain: false })
  const summary = (await store.list()).find((s) => s.resource === resource)
  if (summary === undefined) return undefined
  const credentials = await store.get({ issuer: summary.issuer, resource: summary.resource })
  if (credentials !== undefined) {
    sink.secret(credentials.access_token)
    if (credentials.refresh_token !== undefined) sink.secret(credentials.refresh_token)
  }
  return credentials
}

/** No token of `credentials` appears in what a command printed. */
export function expectNoTokenIn(run: CliRun, credentials: StoredCredentials | undefined): void {
  for (const value of [credentials?.access_token, credentials?.refresh_token]) {
    if (value === undefined) continue
    expect(run.stdout).not.toContain(value)
    expect(run.stderr).not.toContain(value)
  }
}
