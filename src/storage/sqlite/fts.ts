/**
 * FTS5 query text, built ONLY from the domain's `searchTerms()` output (letters and digits):
 * each term is a quoted string, so nothing in a query can act as FTS5 syntax. The last term
 * also matches as a prefix (`"postg"*` finds "postgres") once it has 4 characters: FTS5 merges
 * the postings of every expansion before the first row, and a 3-letter prefix of common words
 * ("the"*) costs tens of milliseconds at 100 000 memories.
 */
export const MIN_PREFIX_CHARS = 4

export function ftsPhrases(terms: readonly string[]): string[] {
  return terms.map((term, index) => {
    const quoted = `"${term.replaceAll('"', '""')}"`
    const last = index === terms.length - 1
    return last && [...term].length >= MIN_PREFIX_CHARS ? `${quoted}*` : quoted
  })
}

/** Terms joined with OR: a memory matching any term is found; bm25 favours more and rarer. */
export function ftsMatchExpression(terms: readonly string[]): string {
  return ftsPhrases(terms).join(' OR ')
}

/**
 * A tag as an FTS5 phrase on the `tags` column, to narrow candidates inside MATCH. Tags are
 * stored as JSON text, so `project:x` is indexed as the words "project x": the phrase can
 * over-match ("project-x") but never under-match, and the exact tag check follows in SQL.
 * Tags only hold letters, digits and `_ : . / -` (domain TAG_PATTERN), never a quote.
 */
export function tagPhrases(tags: readonly string[]): string[] {
  return tags.map((tag) => `tags : "${tag.replaceAll('"', '""')}"`)
}

/**
 * At most this many matching rows are scored by bm25 in one query: ~0.5 µs a row in the FTS
 * index alone, ~2 µs when every match must also be joined to check its owner.
 */
export const RANKED_BUDGET = 8000

/**
 * Chooses which phrases to rank with, from how many rows each matches (counted up to
 * `budget + 1`): the rarest first, while their total stays within the budget. Phrases left out
 * are the most common ones, whose bm25 weight is small anyway (a word in half of all rows
 * weighs nothing); when even the rarest phrase is over budget, nothing is ranked and the
 * caller falls back to the newest matches.
 */
export function planPhrases(
  counted: ReadonlyArray<{ phrase: string; rows: number }>,
  budget: number = RANKED_BUDGET,
): { ranked: string[]; dropped: string[] } {
  const byRarity = [...counted].sort((a, b) => a.rows - b.rows)
  const ranked: string[] = []
  const dropped: string[] = []
  let total = 0
  for (const { phrase, rows } of byRarity) {
    if (dropped.length === 0 && total + rows <= budget) {
      ranked.push(phrase)
      total += rows
    } else {
      dropped.push(phrase)
    }
  }
  return { ranked, dropped }
}
