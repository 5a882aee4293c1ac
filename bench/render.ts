/**
 * P6: validate + render of a 1,000-project db.yml (target < 1 s), against three
 * baselines measured in the same run: validation alone, a parse with the `yaml`
 * package (railyard's reader before js-yaml), and a naive render that
 * serialises every file with `yaml`'s default stringify (no 1.1 quoting pass, no
 * shared route table: each project re-scans every route). Writes are timed
 * separately (first write, then a no-change run).
 * Run: node --import tsx bench/render.ts   (BENCH_PROJECTS=N to change the size)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseDocument, stringify } from 'yaml';
import { checkDb } from '../config/load-db.ts';
import type { DbConfig } from '../config/db-types.ts';
import { renderStack, type RenderEnv } from '../steps/render/render-stack.ts';
import { routesOf } from '../steps/render/routes.ts';
import { writeFiles } from '../steps/render/write-files.ts';
import { generateStack } from './generate-stack.ts';

const PROJECTS = Number(process.env['BENCH_PROJECTS'] ?? 1000);
const ROUNDS = 5;
const ENV: RenderEnv = {
  trustedIpsCidrs: ['10.0.0.0/8'],
  letsencryptEmail: 'ops@example.com',
  letsencryptStaging: false,
  traefikDomain: 'traefik.example.com',
  traefikAdmin: 'admin:$apr1$x$y',
};

const text = generateStack(PROJECTS);

function validateOnly(): DbConfig {
  const result = checkDb(text, 'db.yml', {});
  if (!result.ok) throw new Error(`generated stack is invalid: ${JSON.stringify(result.problems[0])}`);
  return result.config;
}

/** The naive approach: per project, filter the whole route table again and stringify with defaults. */
function naiveRender(config: DbConfig): number {
  let bytes = 0;
  for (const project of config.projects) {
    const routes = routesOf(config).routes.filter((r) => r.project === project.name);
    bytes += stringify({ services: Object.fromEntries(project.services.map((s) => [`${project.name}-${s.host}`, { ...s, routes }])) }).length;
  }
  return bytes;
}

function median(fn: () => unknown): { first: number; median: number } {
  const time = (): number => {
    const started = performance.now();
    fn();
    return performance.now() - started;
  };
  const first = time();
  const rounds = Array.from({ length: ROUNDS }, time).sort((a, b) => a - b);
  return { first, median: rounds[Math.floor(ROUNDS / 2)] ?? NaN };
}

const validation = median(validateOnly);
const yamlParse = median(() => parseDocument(text, { version: '1.1', uniqueKeys: true, merge: true }).toJS());
const full = median(() => renderStack(validateOnly(), ENV));
const config = validateOnly();
const renderAlone = median(() => renderStack(config, ENV));
const naive = median(() => naiveRender(config));

const stack = renderStack(config, ENV);
const root = await mkdtemp(join(tmpdir(), 'railyard-bench-render-'));
let started = performance.now();
const firstWrite = await writeFiles(root, stack.files, stack.dirs);
const firstWriteMs = performance.now() - started;
started = performance.now();
const noChange = await writeFiles(root, stack.files, stack.dirs);
const noChangeMs = performance.now() - started;
await rm(root, { recursive: true, force: true });

const fmt = (t: { first: number; median: number }): string => `first ${t.first.toFixed(0)} ms, median ${t.median.toFixed(0)} ms`;
console.log(`render ${PROJECTS} projects (${PROJECTS * 2} services, ${stack.files.length} files):`);
console.log(`  railyard validate + render:      ${fmt(full)} (target < 1000 ms)`);
console.log(`  baseline validate alone:         ${fmt(validation)}`);
console.log(`  baseline \`yaml\` 1.1 parse alone: ${fmt(yamlParse)} (the reader before js-yaml; now only for error positions)`);
console.log(`  render alone (pure):             ${fmt(renderAlone)}`);
console.log(`  baseline naive render alone:     ${fmt(naive)} (route table re-scanned per project, default stringify)`);
console.log(`  writes: first ${firstWriteMs.toFixed(0)} ms (${firstWrite.changed.length} files), no-change ${noChangeMs.toFixed(0)} ms (${noChange.changed.length} files)`);
