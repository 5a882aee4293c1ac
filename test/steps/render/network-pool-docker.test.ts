// Issue 17 item 5: 60 multi-service projects on one engine. With Docker's
// default address pools every project's default network takes a /16 or /20 and
// `up` fails from about the 24th project on ("could not find an available,
// non-overlapping IPv4 address pool"); with railyard's pool each takes a /26.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { execa } from 'execa';
import PQueue from 'p-queue';
import { checkDb } from '../../../config/load-db.ts';
import { renderToDisk } from '../../../steps/render/render-to-disk.ts';
import { subnetAllocator, parseCidr } from '../../../steps/render/subnets.ts';
import { dockerSuiteOptions, requireDocker, TEST_IMAGES } from '../../helpers/docker.ts';
import { uniqueName } from '../../helpers/compose-project.ts';
import { TEST_ENV } from './render-helpers.ts';

const PROJECTS = 60;
const POOL = { cidr: '10.213.0.0/16', prefix: 26 };

describe('render: project networks from railyard\'s pool (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  let root: string;
  const prefix = uniqueName('ry-pool');
  const projects = Array.from({ length: PROJECTS }, (_, i) => `${prefix}-${i}`);
  const blocker = `${prefix}-blocker`;

  before(async () => {
    ({ docker } = await requireDocker());
    root = await mkdtemp(join(tmpdir(), 'ry-pool-'));
  });
  after(async () => {
    // Through the API rather than 60 `compose down` processes: only what this test created (its unique prefix).
    const mine = (name: string | undefined): boolean => name?.startsWith(`${prefix}-`) === true;
    const containers = (await docker?.listContainers({ all: true }) ?? []).filter((c) => mine(c.Labels['com.docker.compose.project']));
    await new PQueue({ concurrency: 8 }).addAll(containers.map((c) => () => docker.getContainer(c.Id).remove({ force: true }).catch(() => undefined)));
    const networks = (await docker?.listNetworks() ?? []).filter((n) => mine(n.Name));
    await new PQueue({ concurrency: 8 }).addAll(networks.map((n) => () => docker.getNetwork(n.Id).remove().catch(() => undefined)));
    if (root) await rm(root, { recursive: true, force: true });
  });

  it(`deploys ${PROJECTS} two-service projects, each on its own /26, none overlapping a network already there`, async () => {
    // A foreign network on the very subnet the first project would take on an empty engine.
    const wanted = subnetAllocator({ projects, pool: POOL, previous: {}, engine: [] }).subnetOf(projects[0]!);
    await docker.createNetwork({ Name: blocker, Driver: 'bridge', IPAM: { Config: [{ Subnet: wanted }] } });
    const text = ['projects:', ...projects.flatMap((p) => [
      `  - name: ${p}`, '    services:',
      `      - { host: app, image: '${TEST_IMAGES.sleeper}', stateless: true }`,
      `      - { host: worker, image: '${TEST_IMAGES.sleeper}' }`,
    ])].join('\n');
    const checked = checkDb(text, 'db.yml', {});
    assert.ok(checked.ok);
    await renderToDisk(checked.config, TEST_ENV, { root, networkPool: POOL, docker });

    // `create` is where compose makes the network and where the default pools run out; starting 120
    // containers costs this engine (vfs) ~0.7 s each and proves nothing more, so a sample is started.
    const compose = (p: string, ...args: string[]) =>
      execa('docker', ['compose', '-p', p, '-f', join(root, 'upstream', p, 'docker-compose.yml'), ...args], { reject: false });
    const created = await new PQueue({ concurrency: 8 }).addAll(projects.map((p) => () => compose(p, 'create', '--quiet-pull')));
    const failed = created.filter((r) => r.exitCode !== 0).map((r) => r.stderr.split('\n').at(-1));
    assert.deepEqual(failed, [], `${failed.length} of ${PROJECTS} projects could not be created`);
    const sample = [projects[0]!, projects[PROJECTS - 1]!, ...projects.slice(1, 5)];
    const started = await new PQueue({ concurrency: 6 }).addAll(sample.map((p) => () => compose(p, 'up', '-d')));
    assert.deepEqual(started.filter((r) => r.exitCode !== 0).map((r) => r.stderr), []);

    const all = await docker.listContainers({ all: true, filters: { label: ['com.docker.compose.project'] } });
    const ours = all.filter((c) => c.Labels['com.docker.compose.project']?.startsWith(`${prefix}-`));
    assert.equal(ours.length, PROJECTS * 2);
    assert.equal(ours.filter((c) => c.State === 'running').length, sample.length * 2);
    const subnets = await Promise.all(projects.map(async (p) => (await docker.getNetwork(`${p}_default`).inspect()).IPAM?.Config?.[0]?.Subnet as string));
    const ranges = [...subnets, wanted].map((s) => parseCidr(s)!).sort((a, b) => a.first - b.first);
    for (let i = 1; i < ranges.length; i++) assert.ok(ranges[i]!.first > ranges[i - 1]!.last, 'two networks overlap');
    for (const s of subnets) assert.match(s, /^10\.213\.\d+\.\d+\/26$/);
    assert.notEqual(subnets[0], wanted, 'the first project must skip the subnet the foreign network holds');
  });
});
