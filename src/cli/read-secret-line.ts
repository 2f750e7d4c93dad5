import { CliError, EXIT } from './exit-codes.js'

/**
 * Reads one line from stdin for a password or secret: at a terminal without echo (Ctrl-C
 * cancels, backspace edits, the prompt goes to stderr); from a pipe, the first line as it is.
 */
export async function readSecretLine(prompt?: string): Promise<string> {
  const stdin = process.stdin
  const tty = stdin.isTTY === true
  if (prompt !== undefined) process.stderr.write(prompt)
  if (tty) stdin.setRawMode(true)
  stdin.resume()
  stdin.setEncoding('utf8')
  try {
    return await new Promise<string>((resolve, reject) => {
      let line = ''
      const done = (value: string | Error) => {
        stdin.off('data', onData)
        stdin.off('end', onEnd)
        if (value instanceof Error) reject(value)
        else resolve(value)
      }
      const onEnd = () => done(line)
      const onData = (chunk: string) => {
        for (const char of chunk) {
          if (char === '\n' || char === '\r' || (tty && char === '\u0004')) return done(line)
          if (tty && char === '\u0003') return done(new CliError('cancelled', EXIT.failure))
          if (tty && (char === '\u007F' || char === '\b')) line = line.slice(0, -1)
          else line += char
        }
      }
      stdin.on('data', onData)
      stdin.on('end', onEnd)
    })
  } finally {
    if (tty) {
      stdin.setRawMode(false)
      process.stderr.write('\n')
    }
    stdin.pause()
  }
}
