import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { digestMounts, mountRequests } from '../../../steps/render/mount-digest.ts';
import { config, oneProject } from './render-helpers.ts';

describe('mount digests', () => {
  it('requests the relative bind mounts and env_files of enabled image services, not bare or outside ones', () => {
    const loaded = config(oneProject([
      '      - host: web',
      '        image: nginx',
      '        volumes: [/data, ./conf:/etc/nginx/conf.d:ro, ../shared:/shared, /srv:/srv, cache:/cache, ./www:/www]',
      '        additional_properties:',
      '          env_file: [web.env, /etc/secret.env]',
      '      - host: 10.0.0.1',
      '        volumes: [./ignored:/x]',
      '',
    ].join('\n')));
    assert.deepEqual(mountRequests(loaded), [
      { project: 'app', path: 'conf', readOnly: true },
      { project: 'app', path: 'www', readOnly: false },
      { project: 'app', path: 'web.env', readOnly: true },
    ]);
  });

  it('digests files by content and folders as trees, without following symlinks', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-digest-'));
    const project = join(root, 'upstream', 'app');
    await mkdir(join(project, 'conf', 'sub'), { recursive: true });
    await writeFile(join(project, 'conf', 'sub', 'a.conf'), 'a');
    await writeFile(join(project, 'file.conf'), 'x');
    await symlink('/etc/passwd', join(project, 'link'));
    const requests = [
      { project: 'app', path: 'conf', readOnly: true },
      { project: 'app', path: 'file.conf', readOnly: false },
      { project: 'app', path: 'link', readOnly: true },
      { project: 'app', path: 'missing', readOnly: true },
      { project: 'other', path: 'rw', readOnly: false },
    ];
    await mkdir(join(root, 'upstream', 'other', 'rw'), { recursive: true });
    const digests = await digestMounts(root, requests);
    assert.match(digests.get('app/conf') ?? '', /^dir:[0-9a-f]{64}$/);
    assert.equal(digests.get('app/file.conf'), 'file:2d711642b726b04401627ca9fbac32f5c8530fb1903cc4db02258717921a4881');
    assert.equal(digests.get('app/link'), 'link:/etc/passwd');
    assert.equal(digests.get('app/missing'), `dir:${createHash('sha256').update('').digest('hex')}`, 'what Docker creates for it');
    assert.equal(digests.get('other/rw'), 'dir:', 'a writable folder is not read');
  });
});
