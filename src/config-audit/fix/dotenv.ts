import { parseDotenv } from '../load.js'

/** A secret moved out of a config: the variable name and its value (never printed). */
export interface MovedSecret {
  name: string
  value: string
}

/** `NAME=value`, quoted (JSON escapes) when the value has anything but plain characters. */
export function dotenvLine(name: string, value: string): string {
  return /^[\w.\-/+=:@~]+$/.test(value) ? `${name}=${value}` : `${name}=${JSON.stringify(value)}`
}

/** The text after appending `additions` to `original` (a newline is added first if needed). */
export function appendDotenv(
  original: string,
  additions: readonly MovedSecret[],
  mask?: (value: string) => string,
): string {
  if (additions.length === 0) return original
  const lead = original === '' || original.endsWith('\n') ? '' : '\n'
  const body = additions
    .map(({ name, value }) => dotenvLine(name, mask ? mask(value) : value))
    .join('\n')
  return `${original}${lead}${body}\n`
}

/**
 * Chooses variable names: reuse a name whose existing value is the same, never overwrite a
 * different value (NAME_2, NAME_3 … instead).
 */
export function allocateNames(
  existing: string,
  wanted: readonly { suggestedName: string; value: string }[],
): { names: string[]; additions: MovedSecret[] } {
  const taken = parseDotenv(existing)
  const additions: MovedSecret[] = []
  const names = wanted.map(({ suggestedName, value }) => {
    for (let n = 1; ; n++) {
      const name = n === 1 ? suggestedName : `${suggestedName}_${n}`
      const current = taken.get(name)
      if (current === undefined) {
        taken.set(name, value)
        additions.push({ name, value })
        return name
      }
      if (sameValue(current, value)) return name
    }
  })
  return { names, additions }
}

function sameValue(a: string, b: string): boolean {
  return Buffer.from(a).equals(Buffer.from(b))
}
