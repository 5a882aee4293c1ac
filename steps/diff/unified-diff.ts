/**
 * A unified diff (`---`/`+++`/`@@` hunks, 3 lines of context) of two small
 * texts, such as one compose service block. LCS over lines: fine for the few
 * dozen lines of a service; not meant for large files.
 */
export function unifiedDiff(oldText: string, newText: string, oldName: string, newName: string, context = 3): string {
  const a = splitLines(oldText);
  const b = splitLines(newText);
  const ops = diffLines(a, b);
  if (ops.every((op) => op.kind === ' ')) return '';
  const out = [`--- ${oldName}`, `+++ ${newName}`];
  for (const hunk of hunks(ops, context)) out.push(...hunk);
  return `${out.join('\n')}\n`;
}

interface Op {
  readonly kind: ' ' | '-' | '+';
  readonly line: string;
  readonly oldNo: number;
  readonly newNo: number;
}

function splitLines(text: string): string[] {
  if (text === '') return [];
  return text.replace(/\n$/, '').split('\n');
}

function diffLines(a: readonly string[], b: readonly string[]): Op[] {
  const lcs: number[][] = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--) {
      lcs[i]![j] = a[i] === b[j] ? lcs[i + 1]![j + 1]! + 1 : Math.max(lcs[i + 1]![j]!, lcs[i]![j + 1]!);
    }
  }
  const ops: Op[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) ops.push({ kind: ' ', line: a[i++]!, oldNo: i, newNo: ++j });
    else if (i < a.length && (j >= b.length || lcs[i + 1]![j]! >= lcs[i]![j + 1]!)) ops.push({ kind: '-', line: a[i++]!, oldNo: i, newNo: j });
    else ops.push({ kind: '+', line: b[j++]!, oldNo: i, newNo: j });
  }
  return ops;
}

function hunks(ops: readonly Op[], context: number): string[][] {
  const changed = ops.map((op, index) => (op.kind === ' ' ? -1 : index)).filter((index) => index >= 0);
  const ranges: [number, number][] = [];
  for (const index of changed) {
    const start = Math.max(0, index - context);
    const end = Math.min(ops.length - 1, index + context);
    const last = ranges.at(-1);
    if (last && start <= last[1] + 1) last[1] = end;
    else ranges.push([start, end]);
  }
  return ranges.map(([start, end]) => {
    const slice = ops.slice(start, end + 1);
    const oldCount = slice.filter((op) => op.kind !== '+').length;
    const newCount = slice.filter((op) => op.kind !== '-').length;
    const first = slice[0]!;
    // A hunk opening with an insertion (deletion) starts after the last old (new) line seen.
    const oldStart = first.kind === '+' ? first.oldNo + (oldCount > 0 ? 1 : 0) : first.oldNo;
    const newStart = first.kind === '-' ? first.newNo + (newCount > 0 ? 1 : 0) : first.newNo;
    const header = `@@ -${oldStart}${oldCount === 1 ? '' : `,${oldCount}`} +${newStart}${newCount === 1 ? '' : `,${newCount}`} @@`;
    return [header, ...slice.map((op) => `${op.kind}${op.line}`)];
  });
}
