/** What every rendering of a secret shows. */
export const REDACTED = '[redacted]'

const inspectCustom = Symbol.for('nodejs.util.inspect.custom')

/**
 * A resolved secret. The value is reachable only through `reveal()`: `String()`, template
 * literals, `JSON.stringify`, `util.inspect` (so `console.log`) and loggers all print
 * `[redacted]`. Call `reveal()` at the last moment, where the value is handed to a driver.
 */
export class Secret {
  readonly #value: string

  constructor(value: string) {
    this.#value = value
  }

  /** The secret value itself. Never log, render or store what this returns. */
  reveal(): string {
    return this.#value
  }

  toString(): string {
    return REDACTED
  }

  toJSON(): string {
    return REDACTED
  }

  [Symbol.toPrimitive](): string {
    return REDACTED
  }

  [inspectCustom](): string {
    return REDACTED
  }
}
