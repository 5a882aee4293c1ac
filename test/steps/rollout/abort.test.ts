// Issue 12 item 6 (rollout side): every wait of a rollout ends on the run's
// abort signal, so SIGTERM with SHUTDOWN_GRACE bounds a shutdown. Aborted in
// the health wait (a 30 s healthcheck interval) and in the drain sleep
// (rollout.drain 60 s), the rollout must end within a second with the abort's reason.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import { RailyardError, isRailyardError } from '../../../core/errors.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { testStack, type TestSpec, type TestStack } from './stack.ts';
import { watchingLogger } from './watching-logger.ts';

const CHECK = { test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/'], retries: 1, start_period: '10s' };
const spec = (version: number, interval: string, rollout: NonNullable<TestSpec['rollout']>): Record<string, TestSpec> => ({
  web: { image: TEST_IMAGES.web, hash: `v${version}`, stateless: true, rollout, extra: { environment: { VERSION: String(version) }, healthcheck: { ...CHECK, interval } } },
});

describe('rollout aborted by the run signal (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stacks: TestStack[] = [];
  before(async () => {
    ({ docker } = await requireDocker());
    await ensureImage(docker, TEST_IMAGES.web);
  });
  after(() => Promise.all(stacks.map((s) => s.project.down())));

  for (const [where, at, interval, rollout] of [
    ['the wait for healthy', 'scaled up', '30s', { timeout: '120s' }],
    ['the rollout.drain sleep', 'draining', '300ms', { drain: '60s' }],
  ] as const) {
    it(`ends within a second of the abort in ${where}`, async () => {
      const stack = testStack('ry-abort');
      stacks.push(stack);
      await stack.apply(docker, spec(0, interval, rollout));
      const controller = new AbortController();
      let abortedAt = 0;
      const log = watchingLogger((msg) => {
        if (msg !== at || abortedAt !== 0) return;
        setTimeout(() => {
          abortedAt = Date.now();
          controller.abort(new RailyardError('RUN_INTERRUPTED', 'railyard was stopped during the run'));
        }, 300);
      });
      const result = await stack.apply(docker, spec(Date.now(), interval, rollout), { log, signal: controller.signal });
      const late = Date.now() - abortedAt;
      assert.ok(abortedAt > 0, `the rollout never reached "${at}"`);
      const [outcome] = result.services;
      assert.ok(isRailyardError(outcome?.error, 'RUN_INTERRUPTED'), `got ${outcome?.error?.code}: ${outcome?.error?.message}`);
      assert.ok(late < 1000, `the rollout ended ${late} ms after the abort`);
    });
  }
});
