import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateStack } from '../../bench/generate-stack.ts';
import { cachedCheck, checkDbCached, DbCache, dbCacheFile } from '../../config/db-cache.ts';
import { checkDb } from '../../config/load-db.ts';
import { sharedPath } from '../helpers/shared.ts';

const stack = (tag: string, extra = '') => `# the stack
versions:
  traefik: v3
projects:
  # shop first
  - name: shop
    env:
      RATIO: 1.0
      URL: https://\${SHOP_HOST}/
    services:
      - host: web
        image: shop/web:${tag}
        ingress:
          - domain: shop.example.com
            port: 8080

  - name: blog
    services:
      - host: web
        image: blog/web:1
        ingress:
          - domain: blog.example.com
            port: 80
# the end
${extra}`;

const VARS = { SHOP_HOST: 'shop.example.com' };

/** Checks `text` with the cache and without it; they must agree exactly. */
function same(text: string, cache: DbCache, vars: Readonly<Record<string, string>> = VARS, shared = ''): ReturnType<typeof checkDb> {
  const cached = checkDbCached(text, 'db.yml', vars, cache, shared);
  assert.deepEqual(cached, checkDb(text, 'db.yml', vars));
  return cached;
}

const fresh = (cache: DbCache): readonly number[] | 'whole' => (cache.last?.mode === 'projects' ? cache.last.fresh : 'whole');

describe('config/db-cache', () => {
  it('checks only the projects whose text changed, with the same result as a whole check', () => {
    const cache = new DbCache();
    same(stack('1'), cache);
    assert.deepEqual(fresh(cache), [0, 1], 'first check: every project');
    same(stack('1'), cache);
    assert.deepEqual(fresh(cache), [], 'nothing changed: nothing checked again');
    const changed = same(stack('2'), cache);
    assert.deepEqual(fresh(cache), [0], 'shop changed, blog did not');
    assert.ok(changed.ok);
    assert.equal(changed.config.projects[0]!.services[0]!.image, 'shop/web:2');
    assert.equal(changed.config.projects[0]!.env['RATIO'], '1.0', 'the raw text of an integer-valued float, as itsUP gives it');
    same(stack('2', '  - name: wiki\n    services:\n      - host: web\n        image: wiki:1\n'), cache);
    assert.deepEqual(fresh(cache), [2], 'a new project alone');
  });

  it('drops every entry when top-level keys or the .env change; a variable change re-checks the projects naming it', () => {
    const cache = new DbCache();
    same(stack('1'), cache);
    same(stack('1').replace('traefik: v3', 'traefik: v3.1'), cache);
    assert.deepEqual(fresh(cache), [0, 1], 'a top-level key changed');
    same(stack('1'), cache, VARS, 'env-a');
    same(stack('1'), cache, VARS, 'env-b');
    assert.deepEqual(fresh(cache), [0, 1], 'the .env changed');
    same(stack('1'), cache, { SHOP_HOST: 'other.example.com' }, 'env-b');
    assert.deepEqual(fresh(cache), [0], 'only shop names SHOP_HOST');
    same(stack('1'), cache, { SHOP_HOST: 'other.example.com', UNRELATED: 'x' }, 'env-b');
    assert.deepEqual(fresh(cache), [], 'a variable no project names');
  });

  it('gives the whole check\'s problems and warnings, positions included', () => {
    const cache = new DbCache();
    same(stack('1'), cache);
    const duplicate = same(stack('1', '  - name: shop\n    services:\n      - host: web\n        image: x:1\n'), cache);
    assert.equal(duplicate.ok, false);
    const unknownKey = same(stack('1').replace('    services:\n      - host: web\n        image: blog', '    colour: red\n    services:\n      - host: web\n        image: blog'), cache);
    assert.ok(unknownKey.ok && unknownKey.warnings.length > 0, 'an unknown key is a warning with its line');
    same(stack('1').replace('${SHOP_HOST}', '${MISSING}'), cache);
    same(stack('1').replace('image: blog/web:1', 'image: [broken'), cache);
    same(stack('1').replace('    services:\n      - host: web\n        image: blog', '    services:\n      - host: web\n        privileged: true\n        image: blog'), cache, { ...VARS, HOST_ACCESS: 'refuse' });
  });

  it('checks the whole file when projects cannot be checked alone', () => {
    const cache = new DbCache();
    const anchored = stack('1').replace('        image: shop/web:1', '        image: &img shop/web:1').replace('image: blog/web:1', 'image: *img');
    assert.ok(same(anchored, cache).ok);
    assert.equal(fresh(cache), 'whole', 'an alias across projects');
    same(`projects: [{name: a, services: [{host: web, image: 'a:1'}]}]\n`, cache);
    assert.equal(fresh(cache), 'whole', 'a flow sequence');
    same(`---\n${stack('1')}`, cache);
    assert.equal(fresh(cache), 'whole', 'a document marker');
    // A block scalar's last lines look like comments and blank lines: they stay its content.
    const scalar = stack('1').replace('    services:\n      - host: web\n        image: blog', '    description: |\n      first\n      # second\n\n    services:\n      - host: web\n        image: blog').replace('  - name: blog', '  - name: blog\n    description: |-\n      text\n      # kept\n\n\n  - name: wiki\n    services: []\n  - name: blog2');
    assert.ok(same(scalar, cache).ok);
    assert.notEqual(fresh(cache), 'whole', 'checked project by project');
  });

  it('agrees with the whole check on every fixture, first and second time', () => {
    const dir = new URL('../fixtures/invalid/', import.meta.url);
    const files = [...readdirSync(dir).map((name) => new URL(name, dir).pathname), new URL('../../db.yml.sample', import.meta.url).pathname];
    if (existsSync(sharedPath('fixtures/itsup-db.yml'))) files.push(sharedPath('fixtures/itsup-db.yml'));
    for (const file of files) {
      const cache = new DbCache();
      const text = readFileSync(file, 'utf8');
      for (const round of [1, 2]) assert.deepEqual(checkDbCached(text, 'db.yml', {}, cache), checkDb(text, 'db.yml', {}), `${file}, round ${round}`);
    }
  });

  it('keeps each project\'s own checks and warnings for the next process: clashes and warnings come out as a whole check gives them', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-db-cache-'));
    try {
      // blog warns three times (a "_" domain, a placement under compose, privileged) and claims a route and a host port.
      const text = stack('1').replace('          - domain: blog.example.com\n            port: 80', '          - domain: blog_old.example.com\n            port: 80\n          - hostport: 2222\n            port: 22\n            router: tcp\n            protocol: tcp\n        placement: manager\n        additional_properties:\n          privileged: true');
      const first = await cachedCheck(root, { save: true })(text, 'db.yml', VARS);
      assert.deepEqual(first, checkDb(text, 'db.yml', VARS));
      assert.ok(first.ok);
      assert.deepEqual(first.warnings.map((w) => w.code).sort(), ['DOMAIN_UNDERSCORE', 'HOST_ACCESS', 'SWARM_ONLY']);
      const entries = Object.values((JSON.parse(await readFile(dbCacheFile(root), 'utf8')) as { entries: Record<string, { claims?: unknown[]; warnings?: object; hostAccess?: unknown[] }> }).entries);
      assert.ok(entries.every((e) => Array.isArray(e.claims) && e.warnings !== undefined && Array.isArray(e.hostAccess)), 'every entry keeps its claims, warnings and host-access findings');
      const reloaded = await DbCache.load(dbCacheFile(root));
      assert.deepEqual(checkDbCached(text, 'db.yml', VARS, reloaded, 'absent'), first, 'the warnings of projects not checked again');
      assert.deepEqual(fresh(reloaded), []);
      const refuse = { ...VARS, HOST_ACCESS: 'refuse' };
      const refused = checkDbCached(text, 'db.yml', refuse, await DbCache.load(dbCacheFile(root)), 'absent');
      assert.deepEqual(refused, checkDb(text, 'db.yml', refuse));
      assert.deepEqual(refused.problems.map((p) => p.code), ['HOST_ACCESS_REFUSED'], 'the kept findings, refused by the environment');
      // shop takes blog's route and host port: only blog's kept claims (it is not checked again) can tell.
      const clash = text.replace('          - domain: shop.example.com\n            port: 8080', '          - domain: blog_old.example.com\n            port: 8080\n          - hostport: 2222\n            port: 22\n            router: tcp\n            protocol: tcp');
      const next = await DbCache.load(dbCacheFile(root));
      const clashed = checkDbCached(clash, 'db.yml', VARS, next, 'absent');
      assert.deepEqual(clashed, checkDb(clash, 'db.yml', VARS));
      assert.deepEqual(fresh(next), 'whole', 'a problem: the whole file is checked, as checkDb does');
      assert.equal(clashed.ok, false);
      assert.deepEqual(clashed.problems.map((p) => p.code).sort(), ['DUPLICATE_HOSTPORT', 'DUPLICATE_ROUTE']);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });

  it('keeps its entries in data/ for the next process, writing only what changed', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-db-cache-'));
    try {
      const text = generateStack(200);
      const check = (t: string) => cachedCheck(root, { save: true })(t, 'db.yml', {});
      assert.deepEqual(await check(text), checkDb(text, 'db.yml', {}));
      const file = dbCacheFile(root);
      assert.equal((await stat(file)).mode & 0o777, 0o600, 'it holds interpolated values: owner only');
      const reloaded = await DbCache.load(file);
      checkDbCached(text, 'db.yml', {}, reloaded, 'absent');
      assert.deepEqual(fresh(reloaded), [], 'another process reuses every project');
      const base = await readFile(file, 'utf8');
      const changed = text.replace('registry.example.com/p7/web:1.7', 'registry.example.com/p7/web:1.7-x');
      const next = await DbCache.load(file);
      assert.deepEqual(checkDbCached(changed, 'db.yml', {}, next, 'absent'), checkDb(changed, 'db.yml', {}));
      assert.deepEqual(fresh(next), [7]);
      await next.save();
      assert.equal(await readFile(file, 'utf8'), base, 'a one-project change leaves the base file alone');
      assert.ok(existsSync(`${file}.delta`));
      const third = await DbCache.load(file);
      checkDbCached(changed, 'db.yml', {}, third, 'absent');
      assert.deepEqual(fresh(third), [], 'the delta is read back');
      await writeFile(file, '{"version": 1, "id": "x", "key": "k", "entries": {"damaged"');
      const damaged = await DbCache.load(file);
      assert.deepEqual(checkDbCached(changed, 'db.yml', {}, damaged, 'absent'), checkDb(changed, 'db.yml', {}));
      assert.equal(fresh(damaged).length, 200, 'a damaged file is an empty cache');
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  });
});
