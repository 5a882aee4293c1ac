import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDocker, dockerEndpoint, pingDocker } from '../../runtime/docker.ts';
import { listContainers } from '../../runtime/containers.ts';
import { isRailyardError } from '../../core/errors.ts';

describe('runtime/docker', () => {
  it('honours DOCKER_HOST for unix and tcp endpoints', () => {
    assert.equal(dockerEndpoint(createDocker(undefined)), 'unix:///var/run/docker.sock');
    assert.equal(dockerEndpoint(createDocker('unix:///tmp/x.sock')), 'unix:///tmp/x.sock');
    assert.equal(dockerEndpoint(createDocker('tcp://10.0.0.1:2375')), 'tcp://10.0.0.1:2375');
    assert.throws(() => createDocker('ssh://host'), (e) => isRailyardError(e, 'DOCKER_UNREACHABLE'));
  });

  it('fails with DOCKER_UNREACHABLE naming the socket when nothing listens', async () => {
    const socket = join(mkdtempSync(join(tmpdir(), 'railyard-nodocker-')), 'docker.sock');
    const docker = createDocker(`unix://${socket}`);
    await assert.rejects(pingDocker(docker, 1000), (e) => isRailyardError(e, 'DOCKER_UNREACHABLE') && (e.data as { endpoint: string }).endpoint === `unix://${socket}`);
    await assert.rejects(listContainers(docker), (e) => isRailyardError(e, 'DOCKER_UNREACHABLE'));
  });
});
