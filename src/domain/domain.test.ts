import { describe, expect, it } from 'vitest'
import {
  DomainError,
  decodeCursor,
  encodeCursor,
  memoryPatch,
  newMemory,
  newTask,
  normalizeTags,
  pageLimit,
  parseIsoDate,
  reciprocalRankFusion,
  searchTerms,
  taskFilter,
  taskPatch,
} from './index.js'

function codeOf(fn: () => unknown): string | undefined {
  try {
    fn()
  } catch (error) {
    return error instanceof DomainError ? `${error.code}: ${error.message}` : 'not a DomainError'
  }
  return undefined
}

describe('parseIsoDate', () => {
  it.each([
    ['2026-12-01', '2026-12-01T00:00:00.000Z'],
    ['2026-12-01T09:30:00Z', '2026-12-01T09:30:00.000Z'],
    ['2026-12-01T09:30:00+01:00', '2026-12-01T08:30:00.000Z'],
    ['2026-12-01T09:30+02:00', '2026-12-01T07:30:00.000Z'],
    ['2026-12-01T09:30:00.123456Z', '2026-12-01T09:30:00.123Z'],
    [' 2024-02-29 ', '2024-02-29T00:00:00.000Z'],
  ])('accepts %s as %s', (input, expected) => {
    expect(parseIsoDate('due', input)).toBe(expected)
  })

  it.each([
    ['tomorrow', /ISO 8601/],
    ['2026-12-01T09:30:00', /ISO 8601/], // no offset: ambiguous
    ['2026-02-30', /not a real calendar date/],
    ['2025-02-29', /not a real calendar date/],
    ['2026-13-01', /not a real calendar date/],
    ['1969-12-31', /between the years 1970 and 9999/],
  ])('refuses %s', (input, message) => {
    expect(codeOf(() => parseIsoDate('due', input))).toMatch(message)
  })
})

describe('tags', () => {
  it('trims, lower-cases and de-duplicates in order', () => {
    expect(normalizeTags([' Work ', 'work', 'home/garden', 'Ünïcode'])).toEqual([
      'work',
      'home/garden',
      'ünïcode',
    ])
  })
  it.each([[''], ['-leading'], ['has space'], ['x'.repeat(65)], ['semi;colon']])(
    'refuses %j',
    (tag) => {
      expect(codeOf(() => normalizeTags([tag]))).toMatch(
        /^invalid_input: tags\[0\] is not a valid tag/,
      )
    },
  )
  it('refuses more than 32 tags', () => {
    expect(codeOf(() => normalizeTags(Array.from({ length: 33 }, (_, i) => `t${i}`)))).toMatch(
      /at most 32/,
    )
  })
})

describe('memories', () => {
  it('defaults importance to 3 and normalises tags', () => {
    expect(newMemory({ content: 'x', tags: ['A'] })).toEqual({
      content: 'x',
      tags: ['a'],
      importance: 3,
    })
  })
  it.each([
    [{ content: '   ' }, /content is empty/],
    [{ content: 'é'.repeat(32 * 1024 + 1) }, /65538 bytes; the limit is 65536 bytes/],
    [{ content: 'x', importance: 0 }, /importance must be a whole number from 1 to 5/],
    [{ content: 'x', importance: 2.5 }, /importance/],
    [{ content: 'a\u0000b' }, /content contains a NUL character/],
  ])('refuses %j', (input, message) => {
    expect(codeOf(() => newMemory(input))).toMatch(message)
  })
  it('refuses an empty patch', () => {
    expect(codeOf(() => memoryPatch({}))).toMatch(/nothing to update/)
  })
})

describe('tasks', () => {
  it('creates open tasks with normal priority', () => {
    expect(newTask({ title: '  Pay rent ', due: '2026-12-01' })).toEqual({
      title: 'Pay rent',
      notes: '',
      dueAt: '2026-12-01T00:00:00.000Z',
      priority: 'normal',
      status: 'open',
      tags: [],
    })
  })
  it.each([
    [{ title: 'a\u0000' }, /title contains a NUL character/],
    [{ title: 'ok', notes: '\u0000' }, /notes contains a NUL character/],
  ])('refuses %j', (input, message) => {
    expect(codeOf(() => newTask(input))).toMatch(message)
  })
  it('clears a due date with null', () => {
    expect(taskPatch({ due: null })).toEqual({ dueAt: null })
  })
  it('refuses an inverted due range', () => {
    expect(codeOf(() => taskFilter({ dueAfter: '2027-01-01', dueBefore: '2026-01-01' }))).toMatch(
      /swap them/,
    )
  })
  it('drops empty filters', () => {
    expect(taskFilter({ status: [], text: '  ' })).toEqual({})
  })
})

describe('search', () => {
  it('splits text into unique lower-case terms, punctuation dropped', () => {
    expect(searchTerms('Alice\'s "meeting" OR NEAR(x) -- alice*')).toEqual([
      'alice',
      's',
      'meeting',
      'or',
      'near',
      'x',
    ])
  })
  it('fuses ranked lists by reciprocal rank', () => {
    const scores = reciprocalRankFusion([
      ['a', 'b', 'c'],
      ['b', 'a'],
    ])
    expect(scores.get('a')).toBeCloseTo(1 / 61 + 1 / 62)
    expect(scores.get('b')).toBeCloseTo(1 / 62 + 1 / 61)
    expect(scores.get('c')).toBeCloseTo(1 / 63)
    expect(reciprocalRankFusion([['x', 'y'], ['x']]).get('x')).toBeGreaterThan(1 / 62)
  })
})

describe('pages', () => {
  it('round-trips cursors and refuses garbage', () => {
    const position = { at: '2026-01-01T00:00:00.000Z', id: 'abc' }
    expect(decodeCursor(encodeCursor(position))).toEqual(position)
    expect(codeOf(() => decodeCursor('garbage'))).toMatch(/cursor is not valid/)
  })
  it.each([[0], [101], [1.5]])('refuses limit %s', (limit) => {
    expect(codeOf(() => pageLimit(limit))).toMatch(/limit must be a whole number from 1 to 100/)
  })
})
