/** Shows a secret safely: its first 4 characters, an ellipsis and its length (`ghp_…(40)`). */
export function maskSecret(value: string): string {
  const head = value.length > 12 ? value.slice(0, 4) : ''
  return `${head}…(${value.length} chars)`
}
