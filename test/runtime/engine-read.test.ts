import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { isRailyardError } from '../../core/errors.ts';
import { listContainers, LABEL_PROJECT } from '../../runtime/containers.ts';
import { endpointOf } from '../../runtime/engine-endpoint.ts';
import { readSourceOf } from '../../runtime/engine-read.ts';
import { lazyClients } from '../../runtime/docker.ts';
import { localImageIds } from '../../runtime/images.ts';
import { engineNetworks } from '../../runtime/network.ts';
import { dockerSuiteOptions, ensureImage, requireDocker, TEST_IMAGES } from '../helpers/docker.ts';

describe('runtime/engine-read (real dockerd)', await dockerSuiteOptions(), () => {
  it('lists containers, images and networks over plain HTTP exactly as dockerode does', async () => {
    const { docker, endpoint } = await requireDocker();
    const project = `ry-read-${process.pid}`;
    await ensureImage(docker, TEST_IMAGES.sleeper);
    await execa('docker', ['run', '-d', '--name', `${project}-web-1`, '--label', `${LABEL_PROJECT}=${project}`, '--label', `com.docker.compose.service=web`, TEST_IMAGES.sleeper]);
    try {
      const http = readSourceOf(lazyClients(endpoint));
      assert.ok(!('modem' in http), 'lazy clients read over plain HTTP');
      const [viaHttp, viaDockerode] = await Promise.all([listContainers(http, { project }), listContainers(docker, { project })]);
      assert.equal(viaHttp.length, 1);
      assert.deepEqual(viaHttp, viaDockerode);
      // Other suites share the engine: compare what they leave alone (our image, the default bridge).
      const [httpIds, dockerodeIds] = await Promise.all([localImageIds(http), localImageIds(docker)]);
      assert.ok(httpIds.get(TEST_IMAGES.sleeper)?.startsWith('sha256:'));
      assert.equal(httpIds.get(TEST_IMAGES.sleeper), dockerodeIds.get(TEST_IMAGES.sleeper));
      const bridge = async (source: typeof http | typeof docker) => (await engineNetworks(source)).find((n) => n.name === 'bridge');
      assert.ok(((await bridge(http))?.subnets.length ?? 0) > 0);
      assert.deepEqual(await bridge(http), await bridge(docker));
    } finally {
      await execa('docker', ['rm', '-f', `${project}-web-1`], { reject: false });
    }
  });
});

describe('runtime/engine-read', () => {
  it('is DOCKER_UNREACHABLE, naming the endpoint, for a missing socket', async () => {
    const missing = `unix://${join(tmpdir(), `ry-no-engine-${process.pid}.sock`)}`;
    const source = { endpoint: endpointOf(missing)! };
    await assert.rejects(listContainers(source), (error: unknown) => isRailyardError(error, 'DOCKER_UNREACHABLE') && error.userMessage.includes(missing));
  });
});
