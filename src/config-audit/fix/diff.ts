/** A minimal unified diff (LCS over lines) for the small files the fixer edits. */
export function unifiedDiff(
  oldText: string,
  newText: string,
  oldName: string,
  newName = oldName,
  context = 3,
): string {
  if (oldText === newText) return ''
  const a = oldText === '' ? [] : oldText.replace(/\n$/, '').split('\n')
  const b = newText === '' ? [] : newText.replace(/\n$/, '').split('\n')
  const ops = diffOps(a, b)
  const lines = [`--- ${oldName}`, `+++ ${newName}`]
  const changed = ops.flatMap((op, index) => (op.kind === ' ' ? [] : [index]))
  const groups: [number, number][] = []
  for (const index of changed) {
    const last = groups.at(-1)
    if (last && index - last[1] <= context * 2) last[1] = index
    else groups.push([index, index])
  }
  for (const [first, last] of groups) {
    const hunk = ops.slice(Math.max(0, first - context), Math.min(ops.length, last + 1 + context))
    const oldStart = (hunk[0]?.a ?? 0) + 1
    const newStart = (hunk[0]?.b ?? 0) + 1
    const oldCount = hunk.filter((op) => op.kind !== '+').length
    const newCount = hunk.filter((op) => op.kind !== '-').length
    lines.push(`@@ -${oldStart},${oldCount} +${newStart},${newCount} @@`)
    for (const op of hunk) lines.push(`${op.kind}${op.text}`)
  }
  return lines.join('\n') + '\n'
}

interface Op {
  kind: ' ' | '-' | '+'
  text: string
  a: number
  b: number
}

function diffOps(a: string[], b: string[]): Op[] {
  const n = a.length
  const m = b.length
  const lcs: number[][] = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(0))
  for (let i = n - 1; i >= 0; i--) {
    for (let j = m - 1; j >= 0; j--) {
      const row = lcs[i] as number[]
      row[j] =
        a[i] === b[j]
          ? (lcs[i + 1]?.[j + 1] ?? 0) + 1
          : Math.max(lcs[i + 1]?.[j] ?? 0, row[j + 1] ?? 0)
    }
  }
  const ops: Op[] = []
  let i = 0
  let j = 0
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === b[j]) {
      ops.push({ kind: ' ', text: a[i] ?? '', a: i++, b: j++ })
    } else if (i < n && (j >= m || (lcs[i + 1]?.[j] ?? 0) >= (lcs[i]?.[j + 1] ?? 0))) {
      ops.push({ kind: '-', text: a[i] ?? '', a: i++, b: j })
    } else {
      ops.push({ kind: '+', text: b[j] ?? '', a: i, b: j++ })
    }
  }
  return ops
}
