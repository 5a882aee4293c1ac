// Two runs in one process (two projects deploying at once in serve) render the
// same stack root at the same moment. Both must succeed and leave one
// consistent state. Before, both wrote the network pool's state and the
// manifest through the same temp name, and one failed at render with
// "ENOENT: rename ... network-pool.json.<pid>.tmp".
//
// The render a plan of one project compares the host with (renderPreview's
// `only`): that project alone, exactly as the whole render gives it. The
// mounted file, the routes (with a host port), the kept subnet and a subnet
// still to hand out all have to agree with the whole stack's render.
import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDb } from '../../../config/load-db.ts';
import { renderPreview, renderToDisk } from '../../../steps/render/render-to-disk.ts';
import type { RenderResult } from '../../../steps/render/types.ts';
import { config, TEST_ENV } from './render-helpers.ts';

const POOL = { cidr: '10.213.0.0/16', prefix: 26 };
const project = (name: string): string =>
  `  - name: ${name}\n    services:\n      - host: web\n        image: busybox:1\n      - host: db\n        image: busybox:1\n`;

const roots: string[] = [];
after(async () => {
  for (const root of roots) await rm(root, { recursive: true, force: true });
});

describe('render to disk: concurrent renders of one stack root', () => {
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

const PORTS: Readonly<Record<string, number>> = { shop: 2201, blog: 2202, wiki: 2203, mail: 2204, news: 2205 };

const routedProject = (name: string, extra = ''): string => `  - name: ${name}
    services:
      - host: web
        image: busybox:1
        volumes: [./conf/site.conf:/etc/site.conf:ro]
        ingress:
          - domain: ${name}.example.com
            port: 8080
          - hostport: ${PORTS[name]}
            port: 22
            router: tcp
            protocol: tcp
${extra}      - host: db
        image: busybox:1
`;

/** What the whole preview holds of `name`: its files, folders, rendered project and routes. */
function partOf(stack: RenderResult, name: string) {
  const own = (path: string): boolean => path.startsWith(`upstream/${name}/`);
  return {
    files: stack.files.filter((f) => own(f.path)),
    dirs: stack.dirs.filter(own),
    projects: stack.projects.filter((p) => p.name === name),
    routes: stack.routes.filter((r) => r.project === name),
  };
}

describe('render preview of one project', () => {
  it('renders the project alone as the whole render renders it, new subnets included', async () => {
    const root = await mkdtemp(join(tmpdir(), 'ry-render-preview-'));
    roots.push(root);
    for (const name of ['shop', 'blog', 'wiki', 'mail', 'news']) {
      await mkdir(join(root, 'upstream', name, 'conf'), { recursive: true });
      await writeFile(join(root, 'upstream', name, 'conf', 'site.conf'), `server ${name}\n`);
    }
    const deployed = config(`projects:\n${routedProject('shop')}${routedProject('blog', '        env: {MODE: live}\n')}${routedProject('wiki')}`);
    await renderToDisk(deployed, TEST_ENV, { root, networkPool: POOL }); // keeps their subnets, as an apply does
    // mail and news are new: their subnets are handed out in db.yml order by the whole render.
    const now = config(`projects:\n${routedProject('mail')}${routedProject('shop')}${routedProject('blog', '        env: {MODE: live}\n')}${routedProject('news')}${routedProject('wiki')}`);
    const whole = await renderPreview(now, TEST_ENV, { root, networkPool: POOL });
    for (const name of ['shop', 'blog', 'wiki', 'mail', 'news']) {
      const alone = await renderPreview(now, TEST_ENV, { root, networkPool: POOL, only: name });
      assert.deepEqual(partOf(alone, name), partOf(whole, name), name);
      assert.deepEqual(alone.projects.map((p) => p.name), [name], `${name}: no other project, no proxy`);
      assert.ok(alone.routes.length === 2 && alone.routes.every((r) => r.project === name), `${name}: its own routes`);
      assert.match(alone.files.find((f) => f.path.endsWith('docker-compose.yml'))!.content, /subnet: 10\.213\./, `${name}: a subnet from the pool`);
    }
    await writeFile(join(root, 'upstream', 'blog', 'conf', 'site.conf'), 'server blog, edited\n');
    const edited = await renderPreview(now, TEST_ENV, { root, networkPool: POOL });
    assert.deepEqual(partOf(await renderPreview(now, TEST_ENV, { root, networkPool: POOL, only: 'blog' }), 'blog'), partOf(edited, 'blog'), 'a mounted file read afresh');
    assert.notDeepEqual(partOf(edited, 'blog'), partOf(whole, 'blog'), 'the edit changes the config hash');
  });
});
