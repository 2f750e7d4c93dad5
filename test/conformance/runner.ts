import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { mkdtemp, readFile, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

/** The repository root and the project's conformance runner (scripts/conformance.sh). */
export const ROOT = resolve(import.meta.dirname, '../..')
export const RUNNER = join(ROOT, 'scripts/conformance.sh')

export interface Check {
  id: string
  /** SUCCESS, FAILURE, WARNING or INFO */
  status: string
  errorMessage?: string
  details?: Record<string, unknown>
}

/** One line of the runner's results.jsonl. */
export interface ScenarioResult {
  scenario: string
  exitCode: number
  pass: boolean
  checks?: Check[]
  error?: string
}

export interface RunnerOutcome {
  code: number | null
  output: string
  results: Map<string, ScenarioResult>
}

/** The runner's progress, live (straight to the worker's stderr, not buffered per test). */
export const progress = (text: string) => process.stderr.write(text.replaceAll(/^(?=.)/gm, '  '))

/**
 * Runs scripts/conformance.sh with `args`, printing its progress as it goes, and reads the
 * results.jsonl it writes. A run past `timeoutMs` is stopped with the suite it started.
 */
export async function runner(args: string[], timeoutMs: number): Promise<RunnerOutcome> {
  const out = await mkdtemp(join(tmpdir(), 'mcp-pa-conformance-results-'))
  try {
    const child = spawn('bash', [RUNNER, ...args, '--output', out], {
      cwd: ROOT,
      env: process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group, so that a timeout stops the suite it started too.
      detached: true,
    })
    let output = ''
    const collect = (chunk: Buffer) => {
      const text = chunk.toString('utf8').replaceAll(/^npm warn Unknown user config.*\n/gm, '')
      output += text
      progress(text)
    }
    child.stdout.on('data', collect)
    child.stderr.on('data', collect)
    const timer = setTimeout(() => process.kill(-(child.pid ?? 0), 'SIGTERM'), timeoutMs)
    const [code] = (await once(child, 'exit')) as [number | null]
    clearTimeout(timer)
    const jsonl = await readFile(join(out, 'results.jsonl'), 'utf8').catch(() => '')
    const results = new Map<string, ScenarioResult>()
    for (const line of jsonl.split('\n').filter(Boolean)) {
      const result = JSON.parse(line) as ScenarioResult
      results.set(result.scenario, result)
    }
    return { code, output, results }
  } finally {
    await rm(out, { recursive: true, force: true })
  }
}
