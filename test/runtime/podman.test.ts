// The runtime suite's core cases against a real Podman service (issue 16):
// Debian's podman 4.3 serving the Docker API on /run/podman/podman.sock
// (scripts/test-host.sh starts it), deployed through the real steps
// (validate → render → diff → rollout) with DOCKER_HOST pointing at it.
// No systemd timer runs Podman's healthchecks here, so these cases also show
// railyard running them itself (runtime/podman-health.ts). Cases: create; a
// no-change apply; a rollout probed every 50 ms without a failed request; the
// unhealthy rollback; prune of a disabled project.
import assert from 'node:assert/strict';
import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type Docker from 'dockerode';
import { isRailyardError } from '../../core/errors.ts';
import { listContainers } from '../../runtime/containers.ts';
import { isPodman } from '../../runtime/podman-health.ts';
import { dockerClient, ensureImage, TEST_IMAGES } from '../helpers/docker.ts';
import { startProber, startStandIn } from '../helpers/traefik-stand-in.ts';
import { stackRoot } from '../steps/rollout/stack-root.ts';
import type { StepResults } from '../steps/rollout/run-steps.ts';
import { rollout } from '../../steps/index.ts';

const SOCKET = '/run/podman/podman.sock';
const PODMAN_HOST = `unix://${SOCKET}`;
const required = ['1', 'true'].includes(process.env['REQUIRE_PODMAN'] ?? '');
const options = existsSync(SOCKET) || required ? {} : { skip: `no Podman service at ${SOCKET} (scripts/test-host.sh starts one; REQUIRE_PODMAN=1 makes this a failure)` };

// Shell form, so railyard's drain marker guards it (steps/render: drain healthcheck).
const WGET = '"wget -q -O- http://127.0.0.1:8080/"';
const db = (project: string, image: string, version: string, enabled = true, check = WGET): string =>
  `projects:\n  - name: ${project}\n    enabled: ${enabled}\n    services:\n      - host: web\n        image: ${image}\n        stateless: true\n        replicas: 2\n` +
  `        env:\n          VERSION: "${version}"\n        healthcheck:\n          test: ${check}\n          interval: 500ms\n          timeout: 1s\n          retries: 2\n`;

describe('runtime on Podman', options, () => {
  const stack = stackRoot('ry-podman', PODMAN_HOST);
  let docker: Docker;
  const containers = () => listContainers(docker, { project: stack.project });

  before(async () => {
    docker = dockerClient(PODMAN_HOST).docker;
    assert.ok(await isPodman(docker), `${SOCKET} is not a Podman engine`);
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.unhealthy].map((i) => ensureImage(docker, i)));
    await stack.prepare(docker);
  });
  after(() => stack.down());

  it('creates the service, then a second apply changes nothing', async () => {
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'one'));
    const first = await stack.deploy(docker);
    assert.deepEqual(planActions(first), [['create', true]]);
    const ids = (await containers()).map((c) => c.id).sort();
    assert.equal(ids.length, 2);
    const second = await stack.deploy(docker);
    assert.deepEqual(planActions(second), []);
    assert.deepEqual((await containers()).map((c) => c.id).sort(), ids);
  });

  it('rolls out a change, drained by the marker, without a failed request through the Traefik stand-in', async () => {
    // Without systemd timers nothing has checked the created containers yet; a
    // first rollout's waits run their checks, so the stand-in can route to them.
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'one-and-a-half'));
    assert.deepEqual(planActions(await stack.deploy(docker)), [['rollout', true]]);
    // The stand-in (test/helpers/traefik-stand-in.ts) routes as Traefik's docker provider does; no Traefik runs here.
    const standIn = await startStandIn(docker, { project: stack.project, service: `${stack.project}-web`, network: `${stack.project}_default`, port: 8080, throttleMs: 200 });
    try {
      await until(() => standIn.backends().length === 2);
      writeFileSync(join(stack.root, '.env'), `TRAEFIK_API_URL=${standIn.url}\n`);
      stack.writeDb(db(stack.project, TEST_IMAGES.web, 'two'));
      const prober = startProber(standIn.url, 50);
      const started = Date.now();
      const result = await stack.deploy(docker);
      const ms = Date.now() - started;
      await until(() => standIn.backends().length === 2);
      const seen = await prober.stop();
      assert.deepEqual(planActions(result), [['rollout', true]]);
      // Healthy within a few 500 ms intervals: never the full derived timeout.
      assert.ok(ms < 20_000, `rollout took ${ms} ms`);
      assert.ok(seen.sent > 20, `the prober sent ${seen.sent} requests`);
      assert.deepEqual(seen.failures, [], 'failed requests during the rollout');
      assert.deepEqual((await containers()).map((c) => [c.state]), [['running'], ['running']]);
    } finally {
      await standIn.close();
    }
  });

  it('rolls back a service whose healthcheck fails: ROLLOUT_UNHEALTHY, the old containers keep serving', async () => {
    const before = (await containers()).map((c) => c.id).sort();
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'three', true, '["CMD", "/bin/false"]'));
    await assert.rejects(stack.deploy(docker), (error) => isRailyardError(error, 'ROLLOUT_UNHEALTHY'));
    const now = await containers();
    assert.deepEqual(now.map((c) => c.id).sort(), before);
    assert.ok(now.every((c) => c.state === 'running'));
  });

  it('takes a disabled project down (prune)', async () => {
    stack.writeDb(db(stack.project, TEST_IMAGES.web, 'two', false));
    await stack.deploy(docker);
    assert.deepEqual(await containers(), []);
  });
});

/** What the rollout step did: [action, ok] per changed service. */
function planActions(results: StepResults): [string, boolean][] {
  return results.get(rollout).services.map((s) => [s.action, s.ok]);
}

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 15_000) throw new Error('timed out waiting for the stand-in\'s rotation');
    await new Promise((r) => setTimeout(r, 50));
  }
}
