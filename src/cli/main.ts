#!/usr/bin/env node
import module from 'node:module'
import { homedir } from 'node:os'

// Node ≥ 22.1 caches compiled code between runs (a faster cold start for desktop clients that
// spawn the server often); older Node has no such API and simply skips it.
;(module as { enableCompileCache?: () => unknown }).enableCompileCache?.()

const { main } = await import('./run.js')
const code = await main(process.argv.slice(2), {
  vars: process.env,
  home: process.env.HOME ?? homedir(),
})
process.exitCode = code
// Nothing should keep the process alive now; if a stray handle does, do not hang the shell.
setTimeout(() => process.exit(code), 2000).unref()
