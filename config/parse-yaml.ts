import { isAlias, isMap, isScalar, isSeq, LineCounter, parseDocument, type Node } from 'yaml';
import type { ConfigProblem } from './problem.ts';
import { pointerOf, pointerToPath } from './problem.ts';

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

/** Aliases beyond this count are refused (a "billion laughs" document). */
export const MAX_ALIAS_COUNT = 100;

/** Parses YAML keeping positions; duplicate keys and alias bombs are problems, not values. */
export function parseYaml(text: string, file: string): ParsedYaml {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, uniqueKeys: true, merge: true, prettyErrors: false, version: '1.1' });
  const at = (offset: number): Position => {
    const { line, col } = lineCounter.linePos(offset);
    return { line, col };
  };
  // Positions are only needed to report a problem: built on first use, since
  // walking every node costs a third of a valid file's parse time.
  let built: ReturnType<typeof buildIndex> | undefined;
  const index = (): ReturnType<typeof buildIndex> => (built ??= buildIndex(doc.contents as Node | null, at));
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

  const problems: ConfigProblem[] = doc.errors.map((error) => {
    const pos = at(error.pos[0]);
    const duplicate = error.code === 'DUPLICATE_KEY';
    return {
      code: duplicate ? 'YAML_DUPLICATE_KEY' : 'YAML_SYNTAX',
      file,
      line: pos.line,
      col: pos.col,
      path: duplicate ? pathOfOffset(index().keyRanges, error.pos[0]) : '',
      message: duplicate
        ? 'this key appears twice in the same mapping; remove or rename one of them'
        : `YAML syntax error: ${error.message.split('\n')[0]}`,
    };
  });
  if (problems.length > 0) return { value: undefined, source, problems };

  try {
    return { value: doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT }), source, problems };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    const firstAlias = index().firstAlias;
    return {
      value: undefined,
      source,
      problems: [{
        code: /alias/i.test(message) ? 'YAML_ALIAS_LIMIT' : 'YAML_SYNTAX',
        file,
        ...(firstAlias?.position ?? { line: 0, col: 0 }),
        path: firstAlias ? pointerToPath(firstAlias.pointer) : '',
        message: /alias/i.test(message)
          ? `too many alias expansions (more than ${MAX_ALIAS_COUNT}); write the repeated parts out or use fewer anchors`
          : `YAML error: ${message}`,
      }],
    };
  }
}


/** Positions of every value and key, and the source range of every node, by JSON pointer. */
function buildIndex(root: Node | null, at: (offset: number) => Position) {
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
