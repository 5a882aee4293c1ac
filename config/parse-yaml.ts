import { load, YAMLException } from 'js-yaml';
import { createRequire } from 'node:module';
import type { Document, LineCounter, Node } from 'yaml';
import type { ConfigProblem } from './problem.ts';
import { pointerOf, pointerToPath } from './problem.ts';
import { YAML11_SCHEMA } from './yaml11.ts';

const require = createRequire(import.meta.url);
/** `yaml` keeps every node's range: loaded only when a problem needs a position. */
const yamlLib = (): typeof import('yaml') => require('yaml') as typeof import('yaml');

export interface Position {
  readonly line: number;
  readonly col: number;
}

/** Where each value (and each key) of a parsed YAML document sits in its file. */
export interface SourceMap {
  /** Position of the value at a JSON pointer, or of its nearest ancestor. */
  valueAt(pointer: string): Position;
  /** Position of the key naming the value at a JSON pointer, falling back to the value. */
  keyAt(pointer: string): Position;
  /** Position of the first occurrence of `needle` inside the scalar at a pointer. */
  textAt(pointer: string, needle: string): Position;
}

export interface ParsedYaml {
  readonly value: unknown;
  readonly source: SourceMap;
  readonly problems: readonly ConfigProblem[];
}

/**
 * A document whose aliases would expand it past this many values is refused
 * (a "billion laughs" bomb). Aliases as such are fine: PyYAML takes any number,
 * and a db.yml of 1,000 projects has about 40,000 values.
 */
export const MAX_EXPANDED_VALUES = 1_000_000;

/**
 * Parses db.yml as itsUP's PyYAML does (js-yaml with PyYAML's 1.1 scalars:
 * fast, and the values are what itsUP saw). Duplicate keys and alias bombs are
 * problems, not values. Positions come from a second, careful parse (`yaml`,
 * which keeps every node's range) made only when a problem needs one.
 */
export function parseYaml(text: string, file: string): ParsedYaml {
  let value: unknown;
  let failure: YAMLException | undefined;
  try {
    value = load(text, { schema: YAML11_SCHEMA, filename: file }) ?? null;
  } catch (error) {
    if (!(error instanceof YAMLException)) throw error;
    failure = error;
  }
  const careful = positions(text);
  if (!failure && expandedSize(value) <= MAX_EXPANDED_VALUES) return { value, source: careful.source, problems: [] };
  return { value: undefined, source: careful.source, problems: failure ? syntaxProblems(careful, file, failure) : [aliasBomb(careful, file)] };
}

interface Positions {
  readonly source: SourceMap;
  readonly doc: () => Document;
  readonly at: (offset: number) => Position;
  readonly index: () => ReturnType<typeof buildIndex>;
}

/** Positions in `text`, found (by a careful parse) only when one is asked for. */
export function sourceOf(text: string): SourceMap {
  return positions(text).source;
}

/** The `yaml` document and its position index, each built on first use. */
function positions(text: string): Positions {
  let parsed: { doc: Document; lines: LineCounter } | undefined;
  const careful = (): { doc: Document; lines: LineCounter } => {
    if (parsed) return parsed;
    const { LineCounter: Lines, parseDocument } = yamlLib();
    const lines = new Lines();
    return (parsed = { doc: parseDocument(text, { lineCounter: lines, uniqueKeys: true, merge: true, prettyErrors: false, version: '1.1' }), lines });
  };
  const doc = (): Document => careful().doc;
  const at = (offset: number): Position => {
    const { line, col } = careful().lines.linePos(offset);
    return { line, col };
  };
  let built: ReturnType<typeof buildIndex> | undefined;
  const index = (): ReturnType<typeof buildIndex> => (built ??= buildIndex(doc().contents as Node | null, at));
  const nearest = (map: Map<string, Position>, pointer: string): Position => {
    for (let p = pointer; ; p = p.slice(0, p.lastIndexOf('/'))) {
      const found = map.get(p);
      if (found) return found;
      if (p === '') return { line: 1, col: 1 };
    }
  };
  const source: SourceMap = {
    valueAt: (pointer) => nearest(index().values, pointer),
    keyAt: (pointer) => index().keys.get(pointer) ?? nearest(index().values, pointer),
    textAt: (pointer, needle) => {
      const range = index().ranges.get(pointer);
      const offset = range ? text.slice(range[0], range[1]).indexOf(needle) : -1;
      return range && offset >= 0 ? at(range[0] + offset) : nearest(index().values, pointer);
    },
  };
  return { source, doc, at, index };
}

/** Syntax errors and duplicate keys, placed by the careful parse (or where js-yaml says). */
function syntaxProblems(careful: Positions, file: string, failure: YAMLException): ConfigProblem[] {
  // Too deep for js-yaml (its maxDepth): placed where it says, without the careful parse, which would
  // recurse just as deep (issue 12: 3,000 levels gave a RangeError, or a "call stack" message).
  if (/maxDepth/.test(failure.reason)) return [tooDeep(file, failure)];
  const { doc, at, index } = careful;
  const syntax = (offset: number, duplicate: boolean, message: string): ConfigProblem => ({
    code: duplicate ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX',
    file,
    ...at(offset),
    path: duplicate ? pathOfOffset(index().keyRanges, offset) : '',
    message: duplicate
      ? 'this key appears twice in the same mapping; remove or rename one of them'
      : `YAML syntax error: ${message.split('\n')[0]}`,
  });
  const errors = doc().errors.map((error) => syntax(error.pos[0], error.code === 'DUPLICATE_KEY', error.message));
  // Something only js-yaml refuses: its own reason and place.
  return errors.length > 0 ? errors : [syntax(failure.mark?.position ?? 0, /duplicated mapping key/.test(failure.reason), failure.reason)];
}

/** js-yaml's own limit (its default maxDepth since 4.3): a db.yml needs about 8 levels. */
const MAX_DEPTH = 100;

function tooDeep(file: string, failure: YAMLException): ConfigProblem {
  return {
    code: 'YAML_TOO_DEEP',
    file,
    line: (failure.mark?.line ?? 0) + 1,
    col: (failure.mark?.column ?? 0) + 1,
    path: '',
    message: `the document nests more than ${MAX_DEPTH} levels deep here; db.yml needs about 8: flatten this value`,
  };
}

function aliasBomb(careful: Positions, file: string): ConfigProblem {
  const first = careful.index().firstAlias;
  return {
    code: 'YAML_ALIAS_LIMIT',
    file,
    ...(first?.position ?? { line: 1, col: 1 }),
    path: first ? pointerToPath(first.pointer) : '',
    message: `the aliases expand this document to more than ${MAX_EXPANDED_VALUES.toLocaleString('en')} values; write the repeated parts out or use fewer anchors`,
  };
}

/**
 * How many values the document holds with every alias written out. Each
 * shared object is measured once, so a bomb is measured without expanding it.
 */
export function expandedSize(root: unknown): number {
  const sizes = new Map<object, number>();
  const size = (value: unknown): number => {
    if (value === null || typeof value !== 'object' || value instanceof Date || ArrayBuffer.isView(value)) return 1;
    const known = sizes.get(value);
    if (known !== undefined) return known;
    let total = 1;
    for (const child of Array.isArray(value) ? value : Object.values(value)) total += size(child);
    sizes.set(value, total);
    return total;
  };
  return size(root);
}

/** Positions of every value and key, and the source range of every node, by JSON pointer. */
function buildIndex(root: Node | null, at: (offset: number) => Position) {
  const { isAlias, isMap, isScalar, isSeq } = yamlLib();
  const values = new Map<string, Position>();
  const keys = new Map<string, Position>();
  const ranges = new Map<string, readonly [number, number]>();
  const keyRanges = new Map<string, readonly [number, number]>();
  let firstAlias: { position: Position; pointer: string } | undefined;
  const walk = (node: Node | null | undefined, segments: (string | number)[]): void => {
    if (!node?.range) return;
    const pointer = pointerOf(segments);
    values.set(pointer, at(node.range[0]));
    ranges.set(pointer, [node.range[0], node.range[1]]);
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        const child = [...segments, key];
        if (isScalar(pair.key) && pair.key.range) {
          keys.set(pointerOf(child), at(pair.key.range[0]));
          keyRanges.set(pointerOf(child), [pair.key.range[0], pair.key.range[1]]);
        }
        if (pair.value && !isAlias(pair.value)) walk(pair.value as Node, child);
        else if (isScalar(pair.key) && pair.key.range) values.set(pointerOf(child), at(pair.key.range[0]));
        if (isAlias(pair.value) && pair.value.range) firstAlias ??= { position: at(pair.value.range[0]), pointer: pointerOf(child) };
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        if (isAlias(item) && item.range) firstAlias ??= { position: at(item.range[0]), pointer: pointerOf([...segments, index]) };
        else walk(item as Node, [...segments, index]);
      });
    }
  };
  walk(root, []);
  return { values, keys, ranges, keyRanges, firstAlias };
}

/** The deepest known path whose node contains an offset (for errors that only give an offset). */
function pathOfOffset(ranges: Map<string, readonly [number, number]>, offset: number): string {
  let best = '';
  for (const [pointer, [start, end]] of ranges) {
    if (start <= offset && offset < end && pointer.length >= best.length) best = pointer;
  }
  return pointerToPath(best);
}
