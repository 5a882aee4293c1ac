// Smoke test against the real engine: a container from the web test image
// turns healthy (seen through Docker events, not polling) and serves its page
// on its bridge IP. Skips without an engine; fails with REQUIRE_DOCKER=1.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import type Docker from 'dockerode';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../helpers/docker.ts';

const HEALTHY_TIMEOUT_MS = 30_000;

interface DockerEvent {
  Type?: string;
  Action?: string;
  status?: string;
  id?: string;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

/**
 * Subscribes to one container's events. Subscribe BEFORE starting the
 * container so no event is missed. `until(pred, ms)` resolves with the first
 * matching event, rejects on timeout or when the container dies first.
 */
async function containerEvents(docker: Docker, containerId: string) {
  const stream = await docker.getEvents({ filters: { type: ['container'], container: [containerId] } });
  const seen: DockerEvent[] = [];
  const waiters = new Set<(ev: DockerEvent) => void>();
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line === '') continue;
      const ev = JSON.parse(line) as DockerEvent;
      seen.push(ev);
      for (const w of waiters) w(ev);
    }
  });
  return {
    seen,
    until(pred: (ev: DockerEvent) => boolean, ms: number, what: string): Promise<DockerEvent> {
      return new Promise((resolve, reject) => {
        const done = (fn: () => void) => {
          clearTimeout(timer);
          waiters.delete(onEvent);
          fn();
        };
        const onEvent = (ev: DockerEvent) => {
          if (pred(ev)) done(() => resolve(ev));
          else if (ev.Action === 'die') done(() => reject(new Error(`container died while waiting for ${what}`)));
        };
        const timer = setTimeout(
          () => done(() => reject(new Error(`no ${what} event within ${ms} ms (saw: ${seen.map((e) => e.Action).join(', ')})`))),
          ms,
        );
        for (const ev of seen) {
          if (pred(ev)) return done(() => resolve(ev));
        }
        waiters.add(onEvent);
      });
    },
    close(): void {
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    },
  };
}

describe('docker engine (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  let container: Docker.Container | undefined;
  let events: Awaited<ReturnType<typeof containerEvents>> | undefined;
  const suffix = `${process.pid}-${randomBytes(3).toString('hex')}`;
  const version = `engine-test-${suffix}`;
  const hostname = `rt-${suffix}`;

  before(async () => {
    ({ docker } = await requireDocker());
    await ensureImage(docker, TEST_IMAGES.web);
  });

  after(async () => {
    events?.close();
    await container?.remove({ force: true }).catch(() => undefined);
  });

  it('starts the web image, sees it turn healthy via events, and GETs its page over the bridge IP', async () => {
    container = await docker.createContainer({
      name: `railyard-test-engine-${suffix}`,
      Image: TEST_IMAGES.web,
      Hostname: hostname,
      Env: [`VERSION=${version}`],
      Labels: { 'org.railyard.test': 'docker-engine' },
    });
    events = await containerEvents(docker, container.id);
    const started = Date.now();
    await container.start();

    const ev = await events.until((e) => e.Action === 'health_status: healthy', HEALTHY_TIMEOUT_MS, 'health_status: healthy');
    assert.equal(ev.Actor?.ID ?? ev.id, container.id);
    const healthyAfterMs = Date.now() - started;

    const info = await container.inspect();
    assert.equal(info.State.Health?.Status, 'healthy');
    const ip = info.NetworkSettings.Networks['bridge']?.IPAddress;
    assert.ok(ip, 'container has a bridge IP');

    const res = await fetch(`http://${ip}:8080/`, { signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 200);
    const body = (await res.text()).trim();
    assert.equal(body, `railyard-test-web version=${version} host=${hostname}`);
    process.stderr.write(`# healthy after ${healthyAfterMs} ms; GET http://${ip}:8080/ -> ${body}\n`);

    await container.remove({ force: true });
    await events.until((e) => e.Action === 'destroy', 10_000, 'destroy');
    container = undefined;
    await assert.rejects(docker.getContainer(info.Id).inspect(), /no such container/i);
  });
});
