/**
 * Issue 17 item 4: railyard's commands as users run them (whole processes of
 * bin/railyard.js, which runs the compiled dist/ while it is current), each
 * beside its baseline in the same run, medians of BENCH_ROUNDS alternating runs:
 *   1. `railyard render` of a BENCH_STACK-project stack (default 1,000): a
 *      one-project change against a full first render and a no-change render;
 *      in-process, validate + render + write of the same change (railyard's
 *      own time, without node's start-up);
 *   2. the no-change write step (in-process): with the manifest against
 *      comparing every file's content (the step before issue 17);
 *   3. `railyard plan <one project>` at 100 and BENCH_STACK projects (must not grow);
 *   4. `railyard apply <one project>` with nothing to do, against itsUP's
 *      command sequence for that project (`docker compose up -d`, then per
 *      service `docker compose config --hash`, `docker ps`, `docker inspect`);
 *   5. a stack-wide no-change `railyard plan` of BENCH_PROJECTS deployed
 *      projects (default 20), against itsUP's sequence for all of them.
 * 4 and 5 need the Docker engine and the test registry's sleeper image; they
 * bring their projects up first (not timed) and remove them at the end.
 * Run: node --import tsx bench/commands.ts   (BENCH_STACK, BENCH_PROJECTS, BENCH_ROUNDS, BENCH_PARTS, BENCH_SKIP_DOCKER=1)
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cachedCheck } from '../config/db-cache.ts';
import { checkDb } from '../config/load-db.ts';
import { loadEnv } from '../config/env.ts';
import { renderToDisk } from '../steps/render/render-to-disk.ts';
import { renderStack } from '../steps/render/render-stack.ts';
import { writeFiles } from '../steps/render/write-files.ts';
import { manifestFile } from '../steps/render/write-manifest.ts';
import { alternate, median, ms, railyard, ROUNDS, timed } from './command-timing.ts';
import { generateStack } from './generate-stack.ts';

const STACK = Number(process.env['BENCH_STACK'] ?? 1000);
const PROJECTS = Number(process.env['BENCH_PROJECTS'] ?? 20);

/** Changes one project's image tag in db.yml text (round `n` gives a new tag). */
const changeOne = (text: string, n: number): string => text.replace('registry.example.com/p7/web:1.7', `registry.example.com/p7/web:1.7-${n}`);

async function renderFigures(): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'railyard-bench-cmd-render-'));
  try {
    const text = generateStack(STACK);
    await writeFile(join(root, 'db.yml'), text);
    let n = 0;
    const change = async (): Promise<void> => writeFile(join(root, 'db.yml'), changeOne(text, ++n));
    const first = await alternate({ full: railyard(root, ['render']) }, async () => {
      await rm(join(root, 'upstream'), { recursive: true, force: true });
      await rm(join(root, 'data'), { recursive: true, force: true });
    });
    await railyard(root, ['render'])();
    const noChange = await alternate({ noChange: railyard(root, ['render']) });
    const one = await alternate({ one: railyard(root, ['render']) }, change);
    // In-process: validate + render + write of a one-project change, the process already warm,
    // as the render command does it (validation and render caches in data/), against the same
    // work without them (every project validated and rendered), alternating.
    const env = loadEnv({ root, environ: {} });
    const inProcess: number[] = [];
    const whole: number[] = [];
    for (let round = 0; round < ROUNDS + 2; round++) {
      await change();
      inProcess.push(await timed(async () => {
        const checked = await cachedCheck(root, { save: true })(await readFile(join(root, 'db.yml'), 'utf8'), 'db.yml', env.vars);
        if (!checked.ok) throw new Error('invalid stack');
        const result = await renderToDisk(checked.config, env, { root, networkPool: env.networkPool });
        if (result.changed.length !== 1) throw new Error(`one-project change wrote ${result.changed.length} files`);
      }));
      await change();
      whole.push(await timed(async () => {
        const checked = checkDb(await readFile(join(root, 'db.yml'), 'utf8'), 'db.yml', env.vars);
        if (!checked.ok) throw new Error('invalid stack');
        await renderToDisk(checked.config, env, { root, networkPool: env.networkPool, reuse: false });
      }));
    }
    return [
      `render, ${STACK} projects (${STACK * 2} services), whole \`railyard render\` commands, medians of ${ROUNDS}:`,
      `  one-project change:            ${ms(one['one']!)}   (target < 300 ms)`,
      `  baseline full first render:    ${ms(first['full']!)}   ratio ${(first['full']! / one['one']!).toFixed(2)}x`,
      `  no change:                     ${ms(noChange['noChange']!)}`,
      `  in-process validate + render + write of a one-project change (warm, railyard time): median ${ms(median(inProcess.slice(2)))}   (target < 50 ms)`,
      `    baseline: the same without the caches (every project validated and rendered): ${ms(median(whole.slice(2)))}   ratio ${(median(whole.slice(2)) / median(inProcess.slice(2))).toFixed(1)}x`,
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function writeFigures(): Promise<string[]> {
  const root = await mkdtemp(join(tmpdir(), 'railyard-bench-cmd-write-'));
  try {
    const checked = checkDb(generateStack(STACK), 'db.yml', {});
    if (!checked.ok) throw new Error('invalid stack');
    const stack = renderStack(checked.config, loadEnv({ root, environ: {} }));
    await writeFiles(root, stack.files, stack.dirs);
    const write = () => writeFiles(root, stack.files, stack.dirs).then((r) => {
      if (r.changed.length > 0) throw new Error('no-change write wrote files');
    });
    const times = await alternate({
      manifest: write,
      // The step before issue 17 read and compared every file: what it still does without a manifest.
      contents: async () => {
        await rm(manifestFile(root), { force: true });
        await write();
      },
    });
    return [
      `no-change write step, ${STACK} projects (${stack.files.length} files), in-process, medians of ${ROUNDS}:`,
      `  railyard (manifest: lstat only):          ${ms(times['manifest']!)}   (target < 50 ms)`,
      `  baseline (read and compare every file):   ${ms(times['contents']!)}`,
    ];
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

async function planOneFigures(): Promise<string[]> {
  const lines = [`\`railyard plan <one project>\` (whole command, nothing deployed, medians of ${ROUNDS}; after a \`railyard render\` of the stack, as after an apply):`];
  for (const size of [100, STACK]) {
    const root = await mkdtemp(join(tmpdir(), 'railyard-bench-cmd-plan-'));
    try {
      await writeFile(join(root, 'db.yml'), generateStack(size));
      await railyard(root, ['render'], [0])();
      const t = await alternate({ plan: railyard(root, ['plan', 'project-7'], [0, 2]) });
      lines.push(`  ${String(size).padStart(5)} projects: ${ms(t['plan']!)}`);
    } finally {
      await rm(root, { recursive: true, force: true });
    }
  }
  return lines;
}

// Each part prints as soon as it is measured.
// BENCH_PARTS=render,write,plan,docker picks parts (default: all).
const parts = new Set((process.env['BENCH_PARTS'] ?? 'render,write,plan,docker').split(','));
const inProcess = { render: renderFigures, write: writeFigures, plan: planOneFigures };
for (const [name, part] of Object.entries(inProcess)) if (parts.has(name)) console.log((await part()).join('\n'));
if (parts.has('docker') && process.env['BENCH_SKIP_DOCKER'] !== '1') {
  const { dockerFigures } = await import('./commands-docker.ts');
  console.log((await dockerFigures(PROJECTS, `rycmd-${randomBytes(3).toString('hex')}-`)).join('\n'));
}
