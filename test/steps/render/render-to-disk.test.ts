// Two runs in one process (two projects deploying at once in serve) render the
// same stack root at the same moment. Both must succeed and leave one
// consistent state. Before, both wrote the network pool's state and the
// manifest through the same temp name, and one failed at render with
// "ENOENT: rename ... network-pool.json.<pid>.tmp".
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readFile, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDb } from '../../../config/load-db.ts';
import { renderToDisk } from '../../../steps/render/render-to-disk.ts';
import { TEST_ENV } from './render-helpers.ts';

const POOL = { cidr: '10.213.0.0/16', prefix: 26 };
const project = (name: string): string =>
  `  - name: ${name}\n    services:\n      - host: web\n        image: busybox:1\n      - host: db\n        image: busybox:1\n`;

describe('render to disk: concurrent renders of one stack root', () => {
  const roots: string[] = [];
  after(async () => {
    for (const root of roots) await rm(root, { recursive: true, force: true });
  });

  it('four renders at once all succeed, and leave no temp files and one subnet per project', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ry-render-race-'));
    roots.push(root);
    const names = Array.from({ length: 12 }, (_, i) => `app${i}`);
    const checked = checkDb(`projects:\n${names.map(project).join('')}`, 'db.yml', {});
    assert.ok(checked.ok, JSON.stringify(checked));
    const results = await Promise.allSettled(Array.from({ length: 4 }, () => renderToDisk(checked.config, TEST_ENV, { root, networkPool: POOL })));
    for (const result of results) assert.equal(result.status, 'fulfilled', result.status === 'rejected' ? String(result.reason) : '');
    const data = await readdir(join(root, 'data'));
    assert.deepEqual(data.filter((f) => f.endsWith('.tmp')), []);
    const subnets = JSON.parse(await readFile(join(root, 'data', 'network-pool.json'), 'utf8')) as Record<string, string>;
    assert.deepEqual(Object.keys(subnets).sort(), [...names].sort());
    assert.equal(new Set(Object.values(subnets)).size, names.length, 'every project its own subnet');
  });
});
