// runtime against a real engine: compose up/scale/down through the CLI,
// one-call listing by label, health seen through events, logs tail.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../helpers/docker.ts';
import { testComposeProject, testService } from '../helpers/compose-project.ts';
import { composeDown, composeUp, runCompose } from '../../runtime/compose.ts';
import { LABEL_PROJECT, LABEL_SERVICE, listContainers } from '../../runtime/containers.ts';
import { watchContainerEvents } from '../../runtime/events.ts';
import { waitAllReady } from '../../runtime/wait-healthy.ts';
import { tailLogs } from '../../runtime/logs.ts';
import { isRailyardError } from '../../core/errors.ts';

describe('runtime/compose (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const project = testComposeProject('ry-compose');

  before(async () => {
    ({ docker } = await requireDocker());
    await Promise.all([ensureImage(docker, TEST_IMAGES.web), ensureImage(docker, TEST_IMAGES.unhealthy)]);
  });
  after(() => project.down());

  it('brings a service up scaled, lists it by label and sees it turn healthy through events', async () => {
    project.write({ web: testService(TEST_IMAGES.web, 'h1'), bad: testService(TEST_IMAGES.unhealthy, 'b1') });
    const target = { project: project.name, file: project.file };
    const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${project.name}`, `${LABEL_SERVICE}=web`]);
    try {
      await composeUp(target, { services: ['web'], scale: { web: 2 }, noDeps: true });
      const web = await listContainers(docker, { project: project.name, service: 'web' });
      assert.equal(web.length, 2);
      assert.ok(web.every((c) => c.configHash === 'h1' && c.state === 'running' && c.imageId.startsWith('sha256:')));
      const outcomes = await waitAllReady(
        watch,
        web.map((c) => ({ id: c.id, hasHealthcheck: true, timeoutMs: 20_000, settleMs: 0 })),
        new Map(),
      );
      assert.deepEqual(outcomes.map((o) => o.ok), [true, true]);
      const listed = await listContainers(docker, { project: project.name, service: 'web' });
      assert.deepEqual(listed.map((c) => c.health), ['healthy', 'healthy']);
    } finally {
      watch.close();
    }
  });

  it('reports an unhealthy container as such, and tails its logs', async () => {
    const target = { project: project.name, file: project.file };
    const watch = await watchContainerEvents(docker, [`${LABEL_PROJECT}=${project.name}`, `${LABEL_SERVICE}=bad`]);
    try {
      await composeUp(target, { services: ['bad'], noDeps: true });
      const [bad] = await listContainers(docker, { project: project.name, service: 'bad' });
      assert.ok(bad);
      const [outcome] = await waitAllReady(watch, [{ id: bad.id, hasHealthcheck: true, timeoutMs: 20_000, settleMs: 0 }], new Map());
      assert.deepEqual(outcome, { ok: false, id: bad.id, reason: 'unhealthy' });
      await runCompose(target, ['exec', '-T', 'bad', 'sh', '-c', 'echo line-one; echo line-two; echo marker >/proc/1/fd/1']);
      const lines = await tailLogs(docker, bad.id, 20);
      assert.ok(lines.includes('marker'), `logs: ${JSON.stringify(lines)}`);
    } finally {
      watch.close();
    }
  });

  it('fails with COMPOSE_FAILED for an unknown service, and down removes the containers', async () => {
    const target = { project: project.name, file: project.file };
    await assert.rejects(composeUp(target, { services: ['nope'] }), (e) => isRailyardError(e, 'COMPOSE_FAILED'));
    await composeDown({ project: project.name });
    assert.deepEqual(await listContainers(docker, { project: project.name }), []);
  });
});
