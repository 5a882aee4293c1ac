/**
 * P6 (validate half): validating a 1,000-project db.yml, against the parse step
 * itsUP runs on the same file (PyYAML safe_load, timed inside Python so the
 * interpreter start-up is not counted). Run: node --import tsx bench/validate.ts
 */
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { checkDb } from '../config/load-db.ts';
import { generateStack } from './generate-stack.ts';

const PROJECTS = Number(process.env['BENCH_PROJECTS'] ?? 1000);
const ROUNDS = 5;

const text = generateStack(PROJECTS);
const file = join(await mkdtemp(join(tmpdir(), 'railyard-bench-')), 'db.yml');
await writeFile(file, text);

const timed = (): number => {
  const started = performance.now();
  const result = checkDb(text, 'db.yml', {});
  const ms = performance.now() - started;
  if (!result.ok) throw new Error(`generated stack is invalid: ${JSON.stringify(result.problems[0])}`);
  return ms;
};
const first = timed(); // includes compiling the schema
const rounds = Array.from({ length: ROUNDS }, timed).sort((a, b) => a - b);
const median = rounds[Math.floor(ROUNDS / 2)] ?? NaN;

const python = `
import sys, time, yaml
text = open(sys.argv[1]).read()
best = []
for _ in range(${ROUNDS}):
    t = time.perf_counter(); yaml.safe_load(text); best.append((time.perf_counter() - t) * 1000)
best.sort(); print(best[len(best)//2])
`;
const baseline = await execa('python3', ['-c', python, file], { reject: false });
const baselineMs = baseline.exitCode === 0 ? Number(baseline.stdout.trim()) : NaN;

console.log(`validate ${PROJECTS} projects (${(text.length / 1024).toFixed(0)} KiB, ${PROJECTS * 2} services):`);
console.log(`  railyard parse+schema+semantic: first ${first.toFixed(0)} ms, median ${median.toFixed(0)} ms (target < 1000 ms)`);
console.log(baseline.exitCode === 0
  ? `  baseline PyYAML safe_load only (itsUP's parse, no checks): median ${baselineMs.toFixed(0)} ms`
  : `  baseline unavailable: ${baseline.stderr.split('\n').at(-2) ?? 'python3 failed'}`);
console.log(`  ratio baseline/railyard: ${(baselineMs / median).toFixed(1)}x`);
