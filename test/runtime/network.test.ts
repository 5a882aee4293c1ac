import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { dockerSuiteOptions, requireDocker } from '../helpers/docker.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { ensureNetwork } from '../../runtime/network.ts';

describe('runtime/network (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const name = uniqueName('ry-net');

  before(async () => ({ docker } = await requireDocker()));
  after(() => docker?.getNetwork(name).remove().catch(() => undefined));

  it('creates the network once, then leaves it alone', async () => {
    assert.equal(await ensureNetwork(docker, name), true);
    assert.equal(await ensureNetwork(docker, name), false);
    const networks = await docker.listNetworks({ filters: { name: [name] } });
    assert.equal(networks.filter((n) => n.Name === name).length, 1);
  });
});
