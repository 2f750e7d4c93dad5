/** Limits shared by the tool schemas, the domain checks and the docs. */
export const LIMITS = Object.freeze({
  /** Memory content, in bytes of UTF-8. */
  contentBytes: 64 * 1024,
  /** Task notes, in bytes of UTF-8. */
  notesBytes: 64 * 1024,
  titleChars: 500,
  tagsPerItem: 32,
  tagChars: 64,
  searchQueryChars: 1000,
  idChars: 64,
  pageSizeDefault: 20,
  pageSizeMax: 100,
})

export const TAG_PATTERN = /^[\p{L}\p{N}][\p{L}\p{N}_:./-]*$/u
