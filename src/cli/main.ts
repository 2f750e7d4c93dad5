#!/usr/bin/env node
import { homedir } from 'node:os'
import { main } from './run.js'

const code = await main(process.argv.slice(2), {
  vars: process.env,
  home: process.env.HOME ?? homedir(),
})
process.exitCode = code
// Nothing should keep the process alive now; if a stray handle does, do not hang the shell.
setTimeout(() => process.exit(code), 2000).unref()
