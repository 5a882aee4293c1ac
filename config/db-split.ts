/**
 * Splits db.yml text into its top-level `projects:` block sequence, one piece
 * of text per project, and the rest (the header). Only a plain layout is split
 * (one document, a block `projects:` key at column 0, items `- ` at one indent,
 * no tabs at line starts); anything else is undefined and is checked whole. A
 * wrong split cannot pass unseen: each piece must parse alone as a one-item
 * sequence (config/db-cache.ts), and a piece cut through a scalar or a
 * collection does not. Regular expressions over the whole text, not a loop
 * over its lines: 1,000 projects are 32,000 lines.
 */
export interface SplitDb {
  /** The text without the projects block, with `projects: []` in its place. */
  readonly header: string;
  /** Each project's lines, as they are in the file (indent kept), without the blank lines after it. */
  readonly chunks: readonly string[];
}

const PROJECTS_KEY = /^projects:[ \t]*(?:#.*)?\r?$/gm;
/** A document marker or directive, or a tab where a line's indentation starts. */
const REFUSED = /^(?:---|\.\.\.)(?:[ \t]|\r?$)|^%|^\t/m;
/** The first item after the key, past blank and comment lines. */
const FIRST_ITEM = /^(?:[ \t]*(?:#.*)?\r?\n)*( *)-(?: |\r?$)/my;
/** A blank line's content (a comment-like line may be a block scalar's content: it stays). */
const BLANK = /^[ \t]*\r?$/;
/** Keep chomping (`|+`, `>2+`): a block scalar that keeps the blank lines after it, which a piece would lose. */
const KEEP_CHOMPING = /[|>][1-9]?\+|[|>]\+/;

export function splitProjects(text: string): SplitDb | undefined {
  if (REFUSED.test(text) || KEEP_CHOMPING.test(text)) return undefined;
  const keys = [...text.matchAll(PROJECTS_KEY)];
  if (keys.length !== 1) return undefined; // none, or twice: the whole check says so
  const key = keys[0]!;
  const afterKey = text.indexOf('\n', key.index) + 1;
  if (afterKey === 0) return undefined;
  FIRST_ITEM.lastIndex = afterKey;
  const first = FIRST_ITEM.exec(text);
  if (first === null) return undefined;
  const indent = first[1]!;
  const blockStart = afterKey + first[0].length - first[0].slice(first[0].lastIndexOf('\n') + 1).length;
  // The block ends at a line at column 0 that is neither blank, a comment, nor one of its items.
  const end = (indent === '' ? /^[^ #\r\n-]/gm : /^[^ #\r\n]/gm);
  end.lastIndex = blockStart;
  const blockEnd = end.exec(text)?.index ?? text.length;
  const itemStart = new RegExp(`^${indent}-(?: |\\r?$)`, 'gm');
  itemStart.lastIndex = blockStart;
  const starts: number[] = [];
  for (let match = itemStart.exec(text); match !== null && match.index < blockEnd; match = itemStart.exec(text)) starts.push(match.index);
  // Without the blank lines after it: a project's text does not change when one is added after it.
  const chunks = starts.map((start, i) => trimBlankLines(text.slice(start, starts[i + 1] ?? blockEnd).replace(/\n$/, '')));
  // The blank lines after the last project belong to the header.
  const tail = text.slice(starts[starts.length - 1]! + chunks[chunks.length - 1]!.length, blockEnd);
  const header = `${text.slice(0, key.index)}projects: []\n${tail.replace(/^\n/, '')}${text.slice(blockEnd)}`;
  return { header, chunks };
}

/**
 * `chunk` without its trailing blank lines: what `/(?:\n[ \t]*\r?)+$/` removes,
 * found from the end (that regular expression tries every line of every
 * project: a fifth of the split of 1,000 projects).
 */
export function trimBlankLines(chunk: string): string {
  let end = chunk.length;
  for (let newline = chunk.lastIndexOf('\n', end - 1); newline !== -1; newline = chunk.lastIndexOf('\n', end - 1)) {
    if (!BLANK.test(chunk.slice(newline + 1, end))) break;
    end = newline;
    if (end === 0) break;
  }
  return end === chunk.length ? chunk : chunk.slice(0, end);
}
