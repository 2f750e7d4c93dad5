import { LIMITS, TAG_PATTERN } from './limits.js'
import { DomainError } from './errors.js'

/**
 * Normalises tags: trimmed, lower-cased, de-duplicated, order kept.
 * Throws `invalid_input` naming the offending tag's position, never echoing huge input.
 */
export function normalizeTags(tags: readonly string[] | undefined): string[] {
  if (tags === undefined) return []
  const seen = new Set<string>()
  tags.forEach((raw, index) => {
    const tag = raw.trim().toLowerCase()
    if (tag.length === 0 || tag.length > LIMITS.tagChars || !TAG_PATTERN.test(tag)) {
      throw new DomainError(
        'invalid_input',
        `tags[${index}] is not a valid tag: use 1-${LIMITS.tagChars} letters, digits or _ : . / - (starting with a letter or digit)`,
      )
    }
    seen.add(tag)
  })
  if (seen.size > LIMITS.tagsPerItem) {
    throw new DomainError(
      'invalid_input',
      `too many tags: at most ${LIMITS.tagsPerItem} are allowed`,
    )
  }
  return [...seen]
}
