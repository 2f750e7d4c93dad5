/**
 * The FTS5 MATCH expression for a search: built ONLY from the domain's `searchTerms()` output
 * (letters and digits), each term a quoted string, joined with OR so a document matching any
 * term is found and bm25 ranks documents matching more (and rarer) terms first. The last term
 * also matches as a prefix (`"postg"*` finds "postgres") once it has 3 characters: shorter
 * prefixes expand to too many index terms to stay fast.
 */
export function ftsMatchExpression(terms: readonly string[]): string {
  return terms
    .map((term, index) => {
      const quoted = `"${term.replaceAll('"', '""')}"`
      const last = index === terms.length - 1
      return last && [...term].length >= 3 ? `${quoted}*` : quoted
    })
    .join(' OR ')
}
