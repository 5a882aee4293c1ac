// Triggers per second accepted by the runner, each durable (committed to SQLite
// in WAL mode with synchronous=FULL, so fsynced) before trigger() returns.
// Baseline: the floor for a durable accept, one bare INSERT per transaction
// with the same pragmas. Run: node --import tsx bench/queue.ts [triggers] [projects]
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Writable } from 'node:stream';
import Database from 'better-sqlite3';
import Docker from 'dockerode';
import { loadEnv } from '../config/env.ts';
import { createLogger } from '../core/logger.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { createRegistry } from '../pipeline/registry.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { Runner } from '../pipeline/runner.ts';

const TRIGGERS = Number(process.argv[2] ?? 5000);
const PROJECTS = Number(process.argv[3] ?? 100);

function runnerRate(): { perSecond: number; superseded: number } {
  const root = mkdtempSync(join(tmpdir(), 'railyard-bench-'));
  const store = RunStore.open(storePath(root));
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const runner = new Runner({
    env: loadEnv({ root, environ: {} }),
    store,
    pipelines: createRegistry([createPipeline('deploy', [])]),
    clients: { docker: new Docker({ socketPath: join(root, 'none.sock') }) },
    log: createLogger({ destination: quiet, pretty: false }),
  });
  // Not started: this measures acceptance (journal, delivery dedupe, coalescing), not execution.
  const started = performance.now();
  for (let i = 0; i < TRIGGERS; i += 1) {
    runner.trigger({
      pipeline: 'deploy',
      project: `project-${i % PROJECTS}`,
      trigger: { kind: 'push', commit: i.toString(16).padStart(40, '0'), meta: { sender: 'bench' } },
      delivery: { hook: 'github', id: `delivery-${i}` },
    });
  }
  const seconds = (performance.now() - started) / 1000;
  const superseded = store.listRuns({ status: 'superseded', limit: TRIGGERS }).length;
  store.close();
  rmSync(root, { recursive: true, force: true });
  return { perSecond: TRIGGERS / seconds, superseded };
}

function baselineRate(): number {
  const root = mkdtempSync(join(tmpdir(), 'railyard-bench-'));
  const db = new Database(join(root, 'bare.db'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = FULL');
  db.exec('CREATE TABLE t (id INTEGER PRIMARY KEY AUTOINCREMENT, project TEXT, payload TEXT, created_at INTEGER)');
  const insert = db.prepare('INSERT INTO t (project, payload, created_at) VALUES (?, ?, ?)');
  const one = db.transaction((i: number) => insert.run(`project-${i % PROJECTS}`, '{"sender":"bench"}', Date.now()));
  const started = performance.now();
  for (let i = 0; i < TRIGGERS; i += 1) one(i);
  const seconds = (performance.now() - started) / 1000;
  db.close();
  rmSync(root, { recursive: true, force: true });
  return TRIGGERS / seconds;
}

// fsync-bound figures are noisy on a shared disk: alternate the two, report medians.
const ROUNDS = 5;
const baselines: number[] = [];
const runs: number[] = [];
let superseded = 0;
for (let round = 0; round < ROUNDS; round += 1) {
  baselines.push(baselineRate());
  const result = runnerRate();
  runs.push(result.perSecond);
  superseded = result.superseded;
}
const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;
const [perSecond, baseline] = [median(runs), median(baselines)];
process.stdout.write(
  [
    `queue: ${TRIGGERS} triggers over ${PROJECTS} projects, each committed (WAL, synchronous=FULL) before trigger() returned; median of ${ROUNDS} rounds`,
    `  runner.trigger:        ${Math.round(perSecond)} triggers/s (${superseded} of them absorbed by a pending run)`,
    `  baseline (bare INSERT, one transaction each): ${Math.round(baseline)} inserts/s`,
    `  runner / baseline:     ${(perSecond / baseline).toFixed(2)}`,
    '',
  ].join('\n'),
);
