import { LIMITS } from './limits.js'
import { DomainError } from './errors.js'
import type { Memory } from './memory.js'

/** How memories are searched: words (full text), meaning (vectors) or both, ranked together. */
export type SearchMode = 'fulltext' | 'semantic' | 'hybrid'

export interface MemorySearchQuery {
  text: string
  tags: string[]
  limit: number
}

export interface MemorySearchHit {
  memory: Memory
  /** Higher is better; comparable only within one result list. */
  score: number
  /** Which index found it. */
  matchedBy: Array<'fulltext' | 'semantic'>
}

/** Splits free text into search terms: letters and digits only, lower-cased, de-duplicated. */
export function searchTerms(text: string): string[] {
  if (text.length > LIMITS.searchQueryChars) {
    throw new DomainError(
      'invalid_input',
      `query is longer than ${LIMITS.searchQueryChars} characters: shorten it`,
    )
  }
  const terms = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []
  return [...new Set(terms)].slice(0, 32)
}

/**
 * Reciprocal rank fusion (Cormack et al., 2009) of several ranked id lists: robust to the
 * incomparable scores of full-text and vector search. `k` = 60 as in the paper.
 */
export function reciprocalRankFusion(
  lists: ReadonlyArray<readonly string[]>,
  k = 60,
): Map<string, number> {
  const scores = new Map<string, number>()
  for (const list of lists) {
    list.forEach((id, rank) => {
      scores.set(id, (scores.get(id) ?? 0) + 1 / (k + rank + 1))
    })
  }
  return scores
}
