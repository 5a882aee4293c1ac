/**
 * Issue 13: time from trigger to converged for one swarm service update
 * (2 replicas, start-first, image healthcheck every 1 s), on a single-node
 * swarm in its own network namespace (test/helpers/swarm-engine.ts), for
 *   - railyard: render → plan (ONE service + ONE task listing) → stack deploy →
 *     follow UpdateStatus (0.5 s polls of one inspect) until `completed`;
 *   - by hand: `docker stack deploy`, then `docker service ps` every 1 s until
 *     every task meant to run is Running on the new image.
 * Both sides flip the same service between web:1 and web:2, BENCH_ROUNDS each
 * (default 3), in the same run. Needs root (it starts its own dockerd).
 * railyard waits for UpdateStatus `completed`, which Swarm sets only after the
 * last task's monitor window (5 s here): until then a failure still rolls back.
 * The by-hand loop stops when the tasks run, before Swarm has decided.
 * Run: node --import tsx bench/swarm-rollout.ts
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { execa } from 'execa';
import pino from 'pino';
import { requireDb } from '../config/load-db.ts';
import { createDocker } from '../runtime/docker.ts';
import { computeDiff, desiredFromRender } from '../steps/diff/index.ts';
import { renderToDisk } from '../steps/render/render-to-disk.ts';
import { applyPlan } from '../steps/rollout/index.ts';
import { TEST_IMAGES } from '../test/helpers/docker.ts';
import { startSwarm } from '../test/helpers/swarm-engine.ts';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 3);
const RENDER_ENV = { trustedIpsCidrs: [], letsencryptEmail: undefined, letsencryptStaging: false, traefikDomain: undefined, traefikAdmin: undefined } as never;
const db = (image: string) => `runtime: swarm\nprojects:\n  - name: bench\n    services:\n      - host: web\n        image: ${image}\n        stateless: true\n        replicas: 2\n`;
const handStack = (image: string) => `services:\n  web:\n    image: ${image}\n    deploy:\n      replicas: 2\n      update_config: { parallelism: 1, order: start-first, failure_action: rollback, monitor: 5s }\n`;

const swarm = await startSwarm(1);
const root = await mkdtemp(join(tmpdir(), 'railyard-bench-swarm-'));
try {
  await swarm.loadImages([TEST_IMAGES.web, TEST_IMAGES.web2]);
  const docker = createDocker(swarm.manager.dockerHost);
  const host = { DOCKER_HOST: swarm.manager.dockerHost };
  const railyard = async (image: string): Promise<number> => {
    const t0 = performance.now();
    await writeFile(join(root, 'db.yml'), db(image));
    const config = await requireDb(join(root, 'db.yml'), {});
    const stack = await renderToDisk(config, RENDER_ENV, { root });
    const plan = await computeDiff(docker, desiredFromRender(stack, config, root), { project: 'bench' }, root);
    const result = await applyPlan(docker, plan, { root, dockerHost: swarm.manager.dockerHost, log: pino({ level: 'silent' }) });
    if (!result.services.every((s) => s.ok)) throw new Error(`railyard round failed: ${JSON.stringify(result.services)}`);
    return performance.now() - t0;
  };
  const byHand = async (image: string): Promise<number> => {
    const file = join(root, 'hand.yml');
    await writeFile(file, handStack(image));
    const t0 = performance.now();
    await execa('docker', ['stack', 'deploy', '--detach=true', '-c', file, 'hand'], { env: host });
    for (;;) {
      await sleep(1000);
      const ps = await execa('docker', ['service', 'ps', '--filter', 'desired-state=running', '--format', '{{.Image}} {{.CurrentState}}', 'hand_web'], { env: host });
      const lines = ps.stdout.split('\n').filter(Boolean);
      if (lines.length === 2 && lines.every((l) => l.startsWith(`${image} Running`))) return performance.now() - t0;
    }
  };
  await railyard(TEST_IMAGES.web);
  await execa('docker', ['stack', 'deploy', '--detach=true', '-c', await writeFile(join(root, 'hand.yml'), handStack(TEST_IMAGES.web)).then(() => join(root, 'hand.yml')), 'hand'], { env: host });
  await sleep(5000);
  const ours: number[] = [];
  const theirs: number[] = [];
  for (let i = 0; i < ROUNDS; i += 1) {
    const image = i % 2 === 0 ? TEST_IMAGES.web2 : TEST_IMAGES.web;
    ours.push(await railyard(image));
    theirs.push(await byHand(image));
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  const fmt = (xs: number[]) => `median ${(median(xs) / 1000).toFixed(2)} s (${xs.map((x) => (x / 1000).toFixed(2)).join(', ')})`;
  console.log(`swarm rollout, 2 replicas start-first, ${ROUNDS} rounds each`);
  console.log(`  railyard (plan + stack deploy + UpdateStatus)   ${fmt(ours)}`);
  console.log(`  by hand (stack deploy + service ps every 1 s)  ${fmt(theirs)}`);
} finally {
  await swarm.destroy();
  await rm(root, { recursive: true, force: true });
}
