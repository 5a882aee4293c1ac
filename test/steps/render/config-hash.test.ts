import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canonicalJson, CONFIG_HASH_LABEL, configHash } from '../../../steps/render/config-hash.ts';
import { digestMounts, mountRequests } from '../../../steps/render/mount-digest.ts';
import { renderStack } from '../../../steps/render/render-stack.ts';
import { config, labelsOf, oneProject, renderText, serviceOf, TEST_ENV } from './render-helpers.ts';

const DB = oneProject([
  '      - host: db',
  '        image: postgres:16',
  '        volumes:',
  '          - /var/lib/postgresql/data',
  '          - ./init:/docker-entrypoint-initdb.d:ro',
  '          - ./postgres.conf:/etc/postgresql/postgresql.conf',
  '          - ./state:/state',
  '      - host: web',
  '        image: nginx',
  '',
].join('\n'));

/** Renders DB against files under `root`, as the render step does. */
async function hashes(root: string, text = DB): Promise<Record<string, string>> {
  const loaded = config(text);
  const stack = renderStack(loaded, TEST_ENV, { mountDigests: await digestMounts(root, mountRequests(loaded)) });
  return Object.fromEntries(stack.projects.flatMap((p) => p.services).map((s) => [s.name, s.configHash]));
}

describe('canonicalJson', () => {
  it('sorts keys at every level, keeps array order and drops undefined', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [2, 1], c: undefined, b: null } }), '{"a":{"b":null,"d":[2,1]},"b":1}');
    assert.equal(configHash({ service: { a: 1, b: 2 }, mounts: {} }), configHash({ service: { b: 2, a: 1 }, mounts: {} }));
  });
});

describe('config hash', () => {
  it('is a label on every rendered service, equal to the hash in the result, and stable across runs', () => {
    const first = renderText(DB);
    const second = renderText(DB);
    for (const service of first.projects.flatMap((p) => p.services)) {
      assert.match(service.configHash, /^[0-9a-f]{64}$/);
      const labels = service.definition['labels'] as string[];
      assert.equal(labels.at(-1), `${CONFIG_HASH_LABEL}=${service.configHash}`);
    }
    assert.deepEqual(first.files, second.files);
    assert.equal(labelsOf(serviceOf(first, 'app', 'db')).get(CONFIG_HASH_LABEL), first.projects[0]?.services[0]?.configHash);
  });

  it('does not depend on the key order of db.yml', () => {
    const reordered = oneProject('      - image: nginx\n        env:\n          B: "2"\n          A: "1"\n        host: web\n');
    const original = oneProject('      - host: web\n        env:\n          A: "1"\n          B: "2"\n        image: nginx\n');
    assert.equal(renderText(reordered).projects[0]?.services[0]?.configHash, renderText(original).projects[0]?.services[0]?.configHash);
  });

  it('changes with the rendered service, and only for that service', () => {
    const before = renderText(DB).projects[0]?.services;
    const after = renderText(DB.replace('image: nginx', 'image: nginx:2')).projects[0]?.services;
    assert.equal(after?.[0]?.configHash, before?.[0]?.configHash);
    assert.notEqual(after?.[1]?.configHash, before?.[1]?.configHash);
  });

  it('changes when a mounted config file or read-only folder changes, and not otherwise', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-hash-'));
    const project = join(root, 'upstream', 'app');
    await mkdir(join(project, 'init'), { recursive: true });
    await mkdir(join(project, 'state'), { recursive: true });
    await mkdir(join(project, 'var/lib/postgresql/data'), { recursive: true });
    await writeFile(join(project, 'init', '01.sql'), 'create table a();');
    await writeFile(join(project, 'postgres.conf'), 'max_connections = 100');
    const start = await hashes(root);
    assert.deepEqual(await hashes(root), start, 'stable when nothing changes');

    await writeFile(join(project, 'var/lib/postgresql/data', 'PG_VERSION'), '16');
    await writeFile(join(project, 'state', 'session.db'), 'written by the container');
    await writeFile(join(project, 'docker-compose.yml'), 'whatever is on disk');
    assert.deepEqual(await hashes(root), start, 'data folders, writable folders and rendered files are not config');

    await writeFile(join(project, 'postgres.conf'), 'max_connections = 200');
    const afterFile = await hashes(root);
    assert.notEqual(afterFile['app-db'], start['app-db'], 'a mounted file changed');
    assert.equal(afterFile['app-web'], start['app-web']);

    await writeFile(join(project, 'init', '02.sql'), 'create table b();');
    assert.notEqual((await hashes(root))['app-db'], afterFile['app-db'], 'a file appeared in a read-only folder');
  });

  it("covers the project's .env when the service reads it as env_file, and not otherwise", async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-hash-'));
    const text = (value: string) => oneProject(
      '      - host: web\n        image: nginx\n        additional_properties:\n          env_file: .env\n      - host: db\n        image: postgres\n',
      `    env:\n      TOKEN: ${value}\n`,
    );
    const one = await hashes(root, text('one'));
    const two = await hashes(root, text('two'));
    assert.notEqual(two['app-web'], one['app-web']);
    assert.equal(two['app-db'], one['app-db']);
  });
});
