#!/usr/bin/env node
// Runs test/**/*.test.ts with node's test runner through tsx.
// Node 20's `--test` does not expand globs, so the file list is built here.
//   node scripts/run-tests.mjs                 every test, in two shards at once
//   node scripts/run-tests.mjs <substr>...     the files whose path holds one, in one process
// The whole suite mostly waits (engines converging, rollouts, timers), so it
// runs as two test processes side by side: the suites that bring their own
// engine, namespace or server (SIDE) in one, the rest in the other. Within a
// shard, files run one at a time, as before. The side shard's report is
// printed when it ends; the exit code is non-zero when either shard fails.
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawn } from 'node:child_process';

const SIDE = [
  'test/runtime/swarm-', 'test/pipeline/full-disk-run', 'test/workflows/deploy-vpn',
  'test/hooks/api-blocks-netns', 'test/runtime/podman', 'test/steps/backup/backup-s3', 'test/hooks/dashboard/',
  'test/steps/rollout/zero-failed',
];

function collect(dir) {
  return readdirSync(dir).sort().flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'fixtures' ? [] : collect(path);
    return name.endsWith('.test.ts') ? [path] : [];
  });
}

// A test that hangs fails at --test-timeout (10 min; the longest suite takes
// ~2), and --test-force-exit ends its file even when a child process or
// socket it left would keep it alive: one stuck test never stalls the run.
function run(files, stdio) {
  const args = ['--import', 'tsx', '--test', '--test-reporter=spec', '--test-concurrency=1', '--test-timeout=600000', '--test-force-exit', ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio });
    child.on('error', () => resolve(1));
    child.on('exit', (code) => resolve(code ?? 1));
  });
}

const filter = process.argv.slice(2);
const files = collect('test').filter((f) => filter.length === 0 || filter.some((p) => f.includes(p)));
if (files.length === 0) {
  console.error('run-tests: no test files matched');
  process.exit(1);
}
if (filter.length > 0) process.exit(await run(files, 'inherit'));

const side = files.filter((f) => SIDE.some((p) => f.startsWith(p)));
const main = files.filter((f) => !side.includes(f));
const dir = mkdtempSync(join(tmpdir(), 'railyard-tests-'));
const sideLog = join(dir, 'side.log');
const fd = openSync(sideLog, 'w');
console.log(`run-tests: ${main.length} files here, ${side.length} in the side shard (its report follows at its end)`);
const [mainCode, sideCode] = await Promise.all([run(main, 'inherit'), run(side, ['ignore', fd, fd])]);
closeSync(fd);
console.log(`\n==> run-tests: the side shard (${side.length} files: ${SIDE.join(' ')})`);
process.stdout.write(readFileSync(sideLog));
rmSync(dir, { recursive: true, force: true });
console.log(`==> run-tests: main shard exit ${mainCode}, side shard exit ${sideCode}`);
process.exit(mainCode !== 0 ? mainCode : sideCode);
