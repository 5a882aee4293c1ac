import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../helpers/docker.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { localImageIds, normalizeRef, pullImage, registryAuth, registryOf } from '../../runtime/images.ts';
import { isRailyardError } from '../../core/errors.ts';

// Asked before the first suite is registered: with --test-force-exit (scripts/run-tests.mjs) a
// suite registered after an await can come too late, once the first suite has ended the file.
const dockerOptions = await dockerSuiteOptions();

describe('runtime/images', () => {
  it('normalises references and finds their registry', () => {
    assert.equal(normalizeRef('busybox'), 'busybox:latest');
    assert.equal(normalizeRef('127.0.0.1:5000/a/b'), '127.0.0.1:5000/a/b:latest');
    assert.equal(normalizeRef('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000/a/b:1');
    assert.equal(registryOf('127.0.0.1:5000/a/b:1'), '127.0.0.1:5000');
    assert.equal(registryOf('traefik:v3'), 'docker.io');
    assert.equal(registryOf('library/traefik:v3'), 'docker.io');
  });

  it('reads registry credentials from the Docker config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'railyard-dockercfg-'));
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ auths: { 'reg.example:5000': { auth: Buffer.from('u:p:w').toString('base64') } } }));
    assert.deepEqual(await registryAuth('reg.example:5000', dir), { username: 'u', password: 'p:w', serveraddress: 'reg.example:5000' });
    assert.equal(await registryAuth('other.example', dir), undefined);
  });
});

describe('runtime/images (real dockerd)', dockerOptions, () => {
  let docker: Docker;
  const tag = `127.0.0.1:5000/railyard-test/${uniqueName('pull')}:1`;

  before(async () => {
    ({ docker } = await requireDocker());
    await ensureImage(docker, TEST_IMAGES.sleeper);
  });
  after(() => docker?.getImage(tag).remove().catch(() => undefined));

  it('pulls from the local registry and maps tags to image IDs in one call', async () => {
    const id = await pullImage(docker, TEST_IMAGES.sleeper);
    const ids = await localImageIds(docker);
    assert.equal(ids.get(TEST_IMAGES.sleeper), id);
    await assert.rejects(pullImage(docker, tag), (e) => isRailyardError(e, 'IMAGE_PULL_FAILED'));
  });
});
