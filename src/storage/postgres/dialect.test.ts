import { describe, expect, it } from 'vitest'
import { searchTerms } from '../../domain/index.js'
import { tsQueryText } from './dialect.js'

describe('tsQueryText', () => {
  it('quotes each term, ORs them and prefixes the last one when it is long enough', () => {
    expect(tsQueryText(['postgres', 'vacuum'])).toBe(`'postgres' | 'vacuum':*`)
    expect(tsQueryText(['a', 'the'])).toBe(`'a' | 'the'`)
  })

  it('leaves no tsquery operator from the query text', () => {
    const text = tsQueryText(searchTerms(`x' | y:* & !(z) <-> "w"`))
    expect(text).toBe(`'x' | 'y' | 'z' | 'w'`)
    expect(tsQueryText([`it's`, 'back\\slash'])).toBe(`'it\\'s' | 'back\\\\slash':*`)
  })
})
