// Issue 17 item 1 through the real steps (validate → render → diff → rollout):
// a shell-form db.yml healthcheck is applied behind the drain guard, a second
// deploy is a no-change (the guard is not in the config hash), plan names the
// drain of each rollout, and a rollout drains the old container by marker.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { DRAIN_MARKER } from '../../../runtime/container-ops.ts';
import { listContainers } from '../../../runtime/containers.ts';
import { diff, render, validate } from '../../../steps/index.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { runSteps } from './run-steps.ts';
import { stackRoot } from './stack-root.ts';

describe('drain marker through the real steps (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stack = stackRoot('ry-marker');
  const db = (version: string): string =>
    `projects:\n  - name: ${stack.project}\n    services:\n` +
    `      - host: web\n        image: ${TEST_IMAGES.web}\n        stateless: true\n        env:\n          VERSION: "${version}"\n` +
    `        healthcheck:\n          test: wget -q -O /dev/null http://127.0.0.1:8080/\n          interval: 300ms\n          retries: 1\n          start_period: 10s\n` +
    `      - host: cmd\n        image: ${TEST_IMAGES.web}\n        stateless: true\n        env:\n          VERSION: "${version}"\n` +
    `        rollout:\n          drain: 1s\n        healthcheck:\n          test: ["CMD", "wget", "-q", "-O", "/dev/null", "http://127.0.0.1:8080/"]\n          interval: 300ms\n`;
  const plan = () => runSteps([validate, render, diff], { env: stack.env(), docker, project: stack.project });

  before(async () => {
    ({ docker } = await requireDocker());
    await stack.prepare(docker);
    await ensureImage(docker, TEST_IMAGES.web);
  });
  after(() => stack.down());

  it('applies the guarded check; the next deploy is a no-change', async () => {
    stack.writeDb(db('one'));
    await stack.deploy(docker);
    const [web] = await listContainers(docker, { project: stack.project, service: `${stack.project}-web` });
    const test = ((await docker.getContainer(web!.id).inspect()).Config.Healthcheck as { Test: string[] }).Test;
    assert.equal(test[0], 'CMD-SHELL');
    assert.ok(test[1]!.startsWith(`[ -e ${DRAIN_MARKER} ]`), test[1]);
    assert.ok(test[1]!.endsWith('\nwget -q -O /dev/null http://127.0.0.1:8080/'), test[1]);
    const again = await plan();
    assert.deepEqual(again.get(diff).plan.map((p) => p.action), ['unchanged', 'unchanged']);
  });

  it('plan names the drain; the rollout drains by marker (the old container turns unhealthy before its stop)', async () => {
    stack.writeDb(db('two'));
    const reasons = (await plan()).get(diff).plan.map((p) => [p.action, p.reason.replace(/^.*stateless; /, '')]);
    assert.deepEqual(reasons, [
      ['rollout', "drain: healthcheck marker, then Traefik's 2000 ms reload throttle (no TRAEFIK_API_URL to ask)"],
      ['rollout', 'drain: rollout.drain 1s (no marker: healthcheck test is CMD form (it may run without a shell; write it as CMD-SHELL to drain by marker))'],
    ]);
    const [old] = await listContainers(docker, { project: stack.project, service: `${stack.project}-web` });
    const events = await docker.getEvents({ filters: { type: ['container'], container: [old!.id] } });
    const seen: string[] = [];
    events.on('data', (chunk: Buffer) => seen.push(...chunk.toString().trim().split('\n').map((l) => (JSON.parse(l) as { Action: string }).Action)));
    await stack.deploy(docker);
    (events as NodeJS.ReadableStream & { destroy(): void }).destroy();
    const unhealthy = seen.indexOf('health_status: unhealthy');
    assert.ok(unhealthy >= 0 && unhealthy < seen.indexOf('kill'), `old container events: ${seen.join(', ')}`);
    const now = await listContainers(docker, { project: stack.project });
    assert.equal(now.length, 2);
  });
});
