// Issue 12 item 3: the engine SIGKILLed mid-rollout. A second dockerd (its
// own netns, data-root, socket and bridge: test/helpers/second-engine.ts) is
// killed while the rollout waits for the new container to turn healthy. The
// outcome must say DOCKER_UNREACHABLE and what is known of the containers,
// never "rolled back": nothing could be.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { isRailyardError } from '../../../core/errors.ts';
import { TEST_IMAGES, dockerRequired, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { canStartSecondEngine, startSecondEngine, type SecondEngine } from '../../helpers/second-engine.ts';
import { testStack, type TestSpec } from './stack.ts';
import { watchingLogger } from './watching-logger.ts';

// A 3 s interval keeps the new container `starting` long enough to kill the engine in the wait.
const spec = (version: number): Record<string, TestSpec> => ({
  web: {
    image: TEST_IMAGES.web,
    hash: `v${version}`,
    stateless: true,
    replicas: 1,
    rollout: { timeout: '40s' },
    extra: { environment: { VERSION: String(version) }, healthcheck: { test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/'], interval: '3s', retries: 3 } },
  },
});

const options = await dockerSuiteOptions();
// With REQUIRE_DOCKER=1 (CI) a machine that cannot start one fails here instead of skipping.
const skip = (await canStartSecondEngine()) || dockerRequired() ? options : { skip: 'a second engine needs root, dockerd, ip, nsenter and runc' };

describe('rollout with the engine SIGKILLed mid-way (second dockerd in its own netns)', skip, () => {
  let engine: SecondEngine;
  const stack = testStack('ry-killed');

  before(async () => {
    const { docker } = await requireDocker();
    await ensureImage(docker, TEST_IMAGES.web);
    engine = await startSecondEngine();
    await engine.loadImages([TEST_IMAGES.web]);
  });
  after(async () => {
    await engine?.destroy();
    await stack.project.down().catch(() => undefined);
  });

  it('reports DOCKER_UNREACHABLE with the last known state, not "rolled back"', async () => {
    const host = { dockerHost: engine.dockerHost };
    const first = await stack.apply(engine.docker, spec(1), host);
    assert.deepEqual(first.services.map((s) => s.ok), [true]);
    let killed: Promise<void> | undefined;
    const log = watchingLogger((msg) => {
      // A moment after the scale-up: the rollout is in its wait for `healthy`.
      if (msg === 'scaled up') killed ??= new Promise((r) => setTimeout(r, 300)).then(() => engine.kill());
    });
    const started = Date.now();
    const result = await stack.apply(engine.docker, spec(2), { ...host, log });
    const ms = Date.now() - started;
    await killed;
    assert.ok(killed !== undefined, 'the rollout never scaled up, so the engine was not killed mid-rollout');
    const [outcome] = result.services;
    assert.equal(outcome?.ok, false);
    assert.ok(isRailyardError(outcome.error, 'DOCKER_UNREACHABLE'), `got ${outcome.error?.code}: ${outcome.error?.message}`);
    assert.doesNotMatch(outcome.error.message, /rolled back, the old/);
    assert.match(outcome.error.message, /nothing was rolled back/);
    const data = outcome.error.data as { rolledBack: boolean; lastKnown: { old: { name: string }[]; fresh: { name: string }[] } };
    assert.equal(data.rolledBack, false);
    assert.deepEqual([data.lastKnown.old.length, data.lastKnown.fresh.length], [1, 1]);
    assert.match(data.lastKnown.fresh[0]!.name, /web-2$/);
    // Learnt from the closed event stream, not at the 40 s rollout.timeout.
    assert.ok(ms < 20_000, `the rollout took ${ms} ms to notice the engine was gone`);
  });
});
