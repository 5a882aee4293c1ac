// The house's layering (issue 12 item 1): every import points down the list
// below, only runtime/ imports dockerode, and only config/ reads process.env.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
/** Bottom first: a layer may import only from itself and the layers before it. */
const LAYERS = ['core', 'config', 'runtime', 'pipeline', 'steps', 'app', 'hooks', 'cli'];

function sources(layer: string): string[] {
  return (readdirSync(join(ROOT, layer), { recursive: true }) as string[]).filter((f) => f.endsWith('.ts')).map((f) => join(layer, f));
}

function imports(file: string): string[] {
  const text = readFileSync(join(ROOT, file), 'utf8');
  return [...text.matchAll(/(?:from|import)\s*\(?\s*'([^']+)'/g)].map((m) => m[1]!);
}

const layerOf = (path: string): string => relative(ROOT, path).split('/')[0]!;

describe('layers', () => {
  it('every import points down (core → config → runtime → pipeline → steps → app → hooks → cli)', () => {
    const upward: string[] = [];
    for (const layer of LAYERS) {
      for (const file of sources(layer)) {
        for (const spec of imports(file).filter((s) => s.startsWith('.'))) {
          const target = layerOf(resolve(ROOT, dirname(file), spec));
          if (LAYERS.includes(target) && LAYERS.indexOf(target) > LAYERS.indexOf(layer)) upward.push(`${file} → ${spec}`);
        }
      }
    }
    assert.deepEqual(upward, []);
  });

  it('only runtime/ imports dockerode', () => {
    const leaks = LAYERS.filter((l) => l !== 'runtime').flatMap((l) => sources(l)).filter((f) => imports(f).includes('dockerode'));
    assert.deepEqual(leaks, []);
  });

  it('only config/ reads process.env', () => {
    const readers = LAYERS.filter((l) => l !== 'config').flatMap((l) => sources(l)).filter((f) => /process\.env\b/.test(readFileSync(join(ROOT, f), 'utf8')));
    assert.deepEqual(readers, []);
  });
});
