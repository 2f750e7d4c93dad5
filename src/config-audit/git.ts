import { execFile } from 'node:child_process'
import { basename, dirname } from 'node:path'

const TIMEOUT_MS = 5000

function git(
  cwd: string,
  args: string[],
): Promise<{ code: number; stdout: string; missing: boolean }> {
  return new Promise((resolvePromise) => {
    execFile('git', args, { cwd, timeout: TIMEOUT_MS, windowsHide: true }, (error, stdout) => {
      const code = error ? (typeof error.code === 'number' ? error.code : -1) : 0
      const missing = (error as NodeJS.ErrnoException | null)?.code === 'ENOENT'
      resolvePromise({ code, stdout: String(stdout), missing })
    })
  })
}

/** Git state of a file: outside a work tree → undefined; git not installed → `available: false`. */
export async function gitState(
  path: string,
): Promise<
  | { available: false }
  | { available: true; tracked: boolean; ignored: boolean; root: string }
  | undefined
> {
  const dir = dirname(path)
  const top = await git(dir, ['rev-parse', '--show-toplevel'])
  if (top.missing) return { available: false }
  if (top.code !== 0) return undefined
  const name = basename(path)
  const [tracked, ignored] = await Promise.all([
    git(dir, ['ls-files', '--error-unmatch', '--', name]),
    git(dir, ['check-ignore', '-q', '--', name]),
  ])
  return {
    available: true,
    tracked: tracked.code === 0,
    ignored: ignored.code === 0,
    root: top.stdout.trim(),
  }
}
