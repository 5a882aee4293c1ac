// Issue 17 item 2: zero failed requests through a rollout. No Traefik runs
// here, so test/helpers/traefik-stand-in.ts stands in for it: a load balancer
// that follows Docker events as Traefik's docker provider does (healthy or
// check-less running containers only, throttled updates, Traefik's API shape).
// A prober GETs through it every 20 ms over 20 rollouts of a 2-replica
// service, for busybox httpd (dies at once on SIGTERM) and for an app that
// finishes in-flight requests; with the drain marker left out of the
// healthcheck (drain off) the same prober must see failures. Without
// TRAEFIK_API_URL the drain cannot ask Traefik whether it dropped a container:
// it waits out Traefik's reload throttle (2 s by default, TRAEFIK_THROTTLE_MS),
// and with that wait at 0 the prober must see failures again.
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import type Docker from 'dockerode';
import type { Healthcheck } from '../../../config/db-types.ts';
import { withDrainMarker } from '../../../steps/render/drain-healthcheck.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { startProber, startStandIn, type StandIn } from '../../helpers/traefik-stand-in.ts';
import { testStack, type TestSpec } from './stack.ts';

const ROLLOUTS = Number(process.env['ZERO_FAILED_ROLLOUTS'] ?? 20);
/** Rollouts of each series with the proxy throttled as Traefik is (each one waits ~2 s more). */
const THROTTLED = 4;
/** A TRAEFIK_API_URL nothing listens on (port 1 on loopback: refused at once). */
const DEAD_API = 'http://127.0.0.1:1';
// Short checks keep 20 rollouts × 2 images near a minute each: healthy after
// one 250 ms interval, unhealthy 3 × 250 ms after the marker goes in. Three
// retries and a 5 s timeout: one slow check on a loaded machine must not take a
// healthy container out of rotation; start_period: nor a slow first one.
const CHECK: Healthcheck = { test: ['CMD-SHELL', 'wget -q -O /dev/null http://127.0.0.1:8080/'], interval: '250ms', timeout: '5s', retries: 3, start_period: '10s' };

function spec(image: string, version: number, drain: boolean): Record<string, TestSpec> {
  return {
    web: {
      image,
      hash: `v${version}-${drain ? 'drain' : 'off'}`,
      stateless: true,
      replicas: 2,
      extra: { environment: { VERSION: String(version) }, healthcheck: drain ? withDrainMarker(CHECK) : CHECK },
    },
  };
}

interface Series {
  readonly drain: boolean;
  /** The stand-in's reload throttle. @default 200 */
  readonly throttleMs?: number;
  /** false: the rollouts are not given TRAEFIK_API_URL; 'dead': one where nothing answers. @default true */
  readonly api?: boolean | 'dead';
  /** TRAEFIK_THROTTLE_MS as the rollouts are told. */
  readonly toldThrottleMs?: number;
}

async function rollouts(docker: Docker, image: string, count: number, { drain, throttleMs = 200, api = true, toldThrottleMs }: Series) {
  const stack = testStack('ry-zero');
  let standIn: StandIn | undefined;
  try {
    const first = await stack.apply(docker, spec(image, 0, drain));
    assert.deepEqual(first.services.map((s) => s.ok), [true]);
    standIn = await startStandIn(docker, { project: stack.project.name, service: 'web', network: `${stack.project.name}_default`, port: 8080, throttleMs });
    await until(() => standIn!.backends().length === 2, 'both first containers in the stand-in\'s rotation');
    const prober = startProber(standIn.url, 20);
    for (let i = 1; i <= count; i++) {
      const told = toldThrottleMs === undefined ? {} : { traefikThrottleMs: toldThrottleMs };
      const apiUrl = api === 'dead' ? DEAD_API : api ? standIn.url : undefined;
      const result = await stack.apply(docker, spec(image, i, drain), apiUrl === undefined ? told : { traefikApiUrl: apiUrl, ...told });
      assert.deepEqual(result.services.map((s) => [s.action, s.ok, s.error?.message]), [['rollout', true, undefined]], `rollout ${i}`);
    }
    await until(() => standIn!.backends().length === 2, 'two containers in rotation after the last rollout');
    return await prober.stop();
  } finally {
    await standIn?.close();
    await stack.project.down();
  }
}

async function until(check: () => boolean, what: string): Promise<void> {
  for (let waited = 0; !check(); waited += 50) {
    if (waited > 10_000) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

// The three series run at the same time (each its own stack, stand-in and
// prober): most of a rollout is waiting on dockerd, and CI time is bounded.
describe('zero failed requests through rollouts (Traefik stand-in, real dockerd)', { ...(await dockerSuiteOptions()), concurrency: 6 }, () => {
  let docker: Docker;
  before(async () => {
    ({ docker } = await requireDocker());
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.graceful].map((i) => ensureImage(docker, i)));
  });

  for (const [name, image] of [['busybox httpd (dies at once on SIGTERM)', TEST_IMAGES.web], ['an app that finishes in-flight requests', TEST_IMAGES.graceful]] as const) {
    it(`${name}: 0 failed of every 20 ms probe over ${ROLLOUTS} rollouts`, async (t) => {
      const started = Date.now();
      const result = await rollouts(docker, image, ROLLOUTS, { drain: true });
      t.diagnostic(`${result.sent} requests, ${result.failed} failed, ${((Date.now() - started) / ROLLOUTS).toFixed(0)} ms per rollout`);
      assert.ok(result.sent > ROLLOUTS * 20, `the prober sent only ${result.sent} requests`);
      assert.equal(result.failed, 0, `${result.failed} of ${result.sent} requests failed: ${result.failures.join('; ')}`);
    });
  }

  it('drain off (no marker in the healthcheck, no rollout.drain): the prober sees failures', async (t) => {
    const result = await rollouts(docker, TEST_IMAGES.web, 2, { drain: false });
    t.diagnostic(`${result.sent} requests, ${result.failed} failed over 2 rollouts`);
    assert.ok(result.failed > 0, `no failed request of ${result.sent} without the drain: the prober cannot fail`);
  });

  // The stand-in throttles as Traefik does by default (2 s), and the rollouts have no API to ask.
  const TRAEFIK_DEFAULT = { drain: true, throttleMs: 2000, api: false } as const;

  it(`no TRAEFIK_API_URL, a proxy that reloads at most every 2 s: 0 failed over ${THROTTLED} rollouts (the drain waits out the throttle)`, async (t) => {
    const result = await rollouts(docker, TEST_IMAGES.web, THROTTLED, TRAEFIK_DEFAULT);
    t.diagnostic(`${result.sent} requests, ${result.failed} failed`);
    assert.ok(result.sent > THROTTLED * 50, `the prober sent only ${result.sent} requests`);
    assert.equal(result.failed, 0, `${result.failed} of ${result.sent} requests failed: ${result.failures.join('; ')}`);
  });

  it(`an unreadable TRAEFIK_API_URL, the same proxy: 0 failed over ${THROTTLED} rollouts (the drain falls back to the throttle)`, async (t) => {
    const result = await rollouts(docker, TEST_IMAGES.web, THROTTLED, { ...TRAEFIK_DEFAULT, api: 'dead' });
    t.diagnostic(`${result.sent} requests, ${result.failed} failed`);
    assert.equal(result.failed, 0, `${result.failed} of ${result.sent} requests failed: ${result.failures.join('; ')}`);
  });

  it('the same with TRAEFIK_THROTTLE_MS=0 (stop right after unhealthy): the prober sees failures', async (t) => {
    const result = await rollouts(docker, TEST_IMAGES.web, THROTTLED, { ...TRAEFIK_DEFAULT, toldThrottleMs: 0 });
    t.diagnostic(`${result.sent} requests, ${result.failed} failed over ${THROTTLED} rollouts`);
    assert.ok(result.failed > 0, `no failed request of ${result.sent} with no wait for the proxy: the prober cannot fail`);
  });
});
