import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stackIdOf } from '../../../runtime/containers.ts';
import { loadMemo, memoKey, renderCacheFile } from '../../../steps/render/render-cache.ts';
import { memoOf, renderToDisk } from '../../../steps/render/render-to-disk.ts';
import { renderStack } from '../../../steps/render/render-stack.ts';
import { config, TEST_ENV } from './render-helpers.ts';

const POOL = { cidr: '10.213.0.0/16', prefix: 26 };

const stack = (tag: string, top = '') => `${top}projects:
  - name: shop
    services:
      - host: web
        image: shop/web:${tag}
        ingress:
          - domain: shop.example.com
            port: 8080
      - host: db
        image: postgres:16
  - name: blog
    env:
      TITLE: hello
    services:
      - host: web
        image: blog/web:1
      - host: db
        image: mariadb:11
`;

/** What another process sees: the memo read back from the root's data/, rendering as renderToDisk does. */
async function renderInNewProcess(root: string, text: string, env = TEST_ENV) {
  const memo = await loadMemo(root);
  const cfg = config(text);
  memo.begin(memoKey(cfg, env, POOL, stackIdOf(root), root));
  const stack = renderStack(cfg, env, { memo, stack: stackIdOf(root) });
  return { memo, stack, fresh: renderStack(cfg, env, { stack: stackIdOf(root) }) };
}

describe('steps/render/render-cache', () => {
  it('a later render (this process or another) renders only the changed project, byte for byte a full render', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-render-cache-'));
    try {
      await renderToDisk(config(stack('1')), TEST_ENV, { root, networkPool: POOL });
      const memo = await memoOf(root);
      assert.deepEqual(memo.rendered, ['shop', 'blog']);
      assert.equal((await stat(renderCacheFile(root))).mode & 0o777, 0o600, 'it holds rendered .env files: owner only');
      const result = await renderToDisk(config(stack('2')), TEST_ENV, { root, networkPool: POOL });
      assert.deepEqual(memo.rendered, ['shop'], 'blog did not change');
      assert.deepEqual(result.changed, ['upstream/shop/docker-compose.yml']);
      const base = await readFile(renderCacheFile(root), 'utf8');
      assert.ok(existsSync(`${renderCacheFile(root)}.delta`), 'one project changed: only a delta is written');
      assert.equal(await readFile(renderCacheFile(root), 'utf8'), base);

      // Without a subnet allocator (as a preview asks), the entries do not match: rendered again.
      const other = await renderInNewProcess(root, stack('2'));
      assert.deepEqual(other.memo.rendered, ['shop', 'blog']);
      assert.deepEqual(other.stack.files, other.fresh.files);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('another process reuses the file; top-level keys, the .env and the environment invalidate every project', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-render-cache-'));
    try {
      const first = await renderInNewProcess(root, stack('1'));
      await first.memo.save();
      const again = await renderInNewProcess(root, stack('1'));
      assert.deepEqual(again.memo.rendered, [], 'read back: nothing rendered');
      assert.deepEqual(again.stack.files, again.fresh.files);
      const changed = await renderInNewProcess(root, stack('2'));
      assert.deepEqual(changed.memo.rendered, ['shop']);
      assert.deepEqual(changed.stack.files, changed.fresh.files);

      const top = await renderInNewProcess(root, stack('1', 'runtime: compose\n'));
      assert.deepEqual(top.memo.rendered, ['shop', 'blog'], 'a top-level key');
      const env = await renderInNewProcess(root, stack('1'), { ...TEST_ENV, letsencryptEmail: 'other@example.com' });
      assert.deepEqual(env.memo.rendered, ['shop', 'blog'], 'a render setting');
      await writeFile(join(root, '.env'), 'A=1\n');
      const dotenv = await renderInNewProcess(root, stack('1'));
      assert.deepEqual(dotenv.memo.rendered, ['shop', 'blog'], 'the .env');
      assert.notEqual(memoKey(config(stack('1')), TEST_ENV, { cidr: '10.214.0.0/16', prefix: 26 }, 'x', root), memoKey(config(stack('1')), TEST_ENV, POOL, 'x', root), 'the network pool');

      await writeFile(renderCacheFile(root), '{"version":1,"id":');
      const damaged = await renderInNewProcess(root, stack('1'));
      assert.deepEqual(damaged.memo.rendered, ['shop', 'blog'], 'a damaged file is an empty memo');
      assert.deepEqual(damaged.stack.files, damaged.fresh.files);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
