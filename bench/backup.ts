/**
 * P4 backup: peak RSS and throughput of `railyard backup` on a generated tree
 * (default 2 GB: half compressible text, half random bytes, small and large
 * files), against `tar czf - upstream | wc -c` on the same tree in the same
 * run. The backup runs as the real CLI in a child process, whose peak RSS it
 * reports itself at exit. Targets: RSS < 150 MB, ≥ 80% of tar's throughput.
 *
 *   node --import tsx bench/backup.ts
 *   BENCH_BACKUP_MB=256 BENCH_BACKUP_TARGET=s3 node --import tsx bench/backup.ts
 *
 * BENCH_BACKUP_TARGET: `local` (backups/ in the stack root; default) or `s3`
 * (s3rver from the test helpers, in its own process on this machine).
 */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { execa } from 'execa';
import { startS3Server, type S3Server } from '../test/helpers/s3-server.ts';

const TOTAL_MB = Number(process.env['BENCH_BACKUP_MB'] ?? 2048);
const TARGET = process.env['BENCH_BACKUP_TARGET'] ?? 'local';
const BIN = new URL('../bin/railyard.js', import.meta.url).pathname;
const MB = 1024 * 1024;
/** Loaded before the CLI: prints the process's peak RSS (KB) when it exits. */
const RSS_HOOK = `data:text/javascript,process.on('exit',()=>process.stderr.write('BENCH_MAXRSS_KB '+process.resourceUsage().maxRSS+'\\n'))`;
/** Extra node flags for the backup process, e.g. `--max-semi-space-size=1`. */
const NODE_FLAGS = (process.env['BENCH_NODE_FLAGS'] ?? '').split(' ').filter(Boolean);

const root = await mkdtemp(join(tmpdir(), 'railyard-bench-backup-'));
try {
  const files = await generateTree(join(root, 'upstream'), TOTAL_MB * MB);
  await warmCache(files);
  const tar = await timeTar(root);
  let s3: S3Server | undefined;
  if (TARGET === 's3') s3 = await startS3Server();
  const ours = await timeBackup(root, s3?.env ?? {});
  const idleMb = await idleRss(s3?.env ?? {});
  await s3?.close();
  report(files.length, tar, { ...ours, idleMb });
} finally {
  await rm(root, { recursive: true, force: true });
}

interface Timing {
  readonly seconds: number;
  readonly bytesOut: number;
}

async function timeTar(cwd: string): Promise<Timing> {
  const started = performance.now();
  const { stdout } = await execa('tar', ['czf', '-', 'upstream'], { cwd, buffer: false }).pipe('wc', ['-c']);
  return { seconds: (performance.now() - started) / 1000, bytesOut: Number(stdout.trim()) };
}

async function timeBackup(cwd: string, environ: Readonly<Record<string, string>>): Promise<Timing & { runSeconds: number; rssMb: number }> {
  const started = performance.now();
  const result = await execa(process.execPath, [...NODE_FLAGS, '--import', RSS_HOOK, BIN, '--root', cwd, 'backup', '--json'], {
    env: { LOG_LEVEL: 'warn', ...environ }, extendEnv: false, reject: false,
  });
  const seconds = (performance.now() - started) / 1000;
  if (result.exitCode !== 0) throw new Error(`railyard backup failed:\n${result.stdout}\n${result.stderr}`);
  const { run } = JSON.parse(result.stdout) as { run: { durationMs: number } };
  const list = await execa(process.execPath, [BIN, '--root', cwd, 'backup', 'list', '--json'], { env: { LOG_LEVEL: 'warn', ...environ }, extendEnv: false });
  const [latest] = (JSON.parse(list.stdout) as { backups: { size: number }[] }).backups;
  const rssKb = Number(/BENCH_MAXRSS_KB (\d+)/.exec(result.stderr)?.[1] ?? NaN);
  return { seconds, runSeconds: run.durationMs / 1000, bytesOut: latest?.size ?? NaN, rssMb: rssKb / 1024 };
}

/** Peak RSS of the same backup of a one-file tree: the CLI, the runner and the store, without the data. */
async function idleRss(environ: Readonly<Record<string, string>>): Promise<number> {
  const tiny = await mkdtemp(join(tmpdir(), 'railyard-bench-tiny-'));
  try {
    await mkdir(join(tiny, 'upstream'));
    await writeFile(join(tiny, 'upstream/a'), 'a');
    const result = await execa(process.execPath, [...NODE_FLAGS, '--import', RSS_HOOK, BIN, '--root', tiny, 'backup'], {
      env: { LOG_LEVEL: 'warn', ...environ, BACKUP_PREFIX: 'tiny' }, extendEnv: false,
    });
    return Number(/BENCH_MAXRSS_KB (\d+)/.exec(result.stderr)?.[1] ?? NaN) / 1024;
  } finally {
    await rm(tiny, { recursive: true, force: true });
  }
}

function report(count: number, tar: Timing, ours: Timing & { runSeconds: number; rssMb: number; idleMb: number }): void {
  const mbps = (seconds: number): number => TOTAL_MB / seconds;
  const share = mbps(ours.runSeconds) / mbps(tar.seconds);
  const lines = [
    `P4 backup: ${TOTAL_MB} MB in ${count} files, target ${TARGET}`,
    `  tar czf - upstream | wc -c : ${tar.seconds.toFixed(1)} s, ${mbps(tar.seconds).toFixed(1)} MB/s, ${(tar.bytesOut / MB).toFixed(0)} MB out`,
    `  railyard backup (run)      : ${ours.runSeconds.toFixed(1)} s, ${mbps(ours.runSeconds).toFixed(1)} MB/s, ${(ours.bytesOut / MB).toFixed(0)} MB out`,
    `  railyard backup (process)  : ${ours.seconds.toFixed(1)} s wall incl. start-up, ${mbps(ours.seconds).toFixed(1)} MB/s`,
    `  throughput vs tar          : ${(share * 100).toFixed(0)}% (target ≥ 80%)`,
    `  peak RSS                   : ${ours.rssMb.toFixed(0)} MB (target < 150 MB)${NODE_FLAGS.length > 0 ? ` with ${NODE_FLAGS.join(' ')}` : ''}`,
    `    of which the CLI at rest : ${ours.idleMb.toFixed(0)} MB (the same backup of a one-file tree: every command and pipeline loaded)`,
    `    added by the backup      : ${(ours.rssMb - ours.idleMb).toFixed(0)} MB`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

/**
 * Half the bytes are log-like text (gzip shrinks it ~4×), half random (it
 * cannot); a quarter of the bytes are in large files (4–32 MB), the rest in
 * files of 1–512 KB, in folders of 200 files.
 */
async function generateTree(dir: string, total: number): Promise<string[]> {
  const text = logText(8 * MB);
  const files: string[] = [];
  let written = 0;
  for (let i = 0; written < total; i += 1) {
    const large = i % 40 === 0;
    const size = Math.min(total - written, large ? (4 + (i % 29)) * MB : 1024 * (1 + ((i * 7919) % 512)));
    const compressible = large ? (i / 40) % 2 === 0 : i % 2 === 0;
    const folder = join(dir, `project-${Math.floor(i / 200)}`);
    if (i % 200 === 0) await mkdir(folder, { recursive: true });
    const path = join(folder, `file-${i}${compressible ? '.log' : '.bin'}`);
    await writeFile(path, compressible ? slice(text, size, i) : randomBytes(size));
    files.push(path);
    written += size;
  }
  return files;
}

function logText(size: number): Buffer {
  const words = ['GET', 'POST', '/api/v1/items', '/healthz', '200', '404', 'upstream', 'traefik', 'container', 'started', 'ms', 'user', 'INFO', 'WARN'];
  const lines: string[] = [];
  let length = 0;
  for (let n = 0; length < size; n += 1) {
    const line = `2026-01-01T00:00:${String(n % 60).padStart(2, '0')}Z ${words[n % 14]} ${words[(n * 7) % 14]} ${Math.floor(Math.random() * 1e6).toString(36)} ${randomBytes(4).toString('hex')}\n`;
    lines.push(line);
    length += line.length;
  }
  return Buffer.from(lines.join(''));
}

function slice(text: Buffer, size: number, seed: number): Buffer {
  if (size <= text.length) {
    const start = (seed * 104_729) % (text.length - size + 1);
    return text.subarray(start, start + size);
  }
  return Buffer.concat(Array.from({ length: Math.ceil(size / text.length) }, () => text)).subarray(0, size);
}

/** Reads every file once so both sides start from the page cache. */
async function warmCache(files: readonly string[]): Promise<void> {
  for (const file of files) await pipeline(createReadStream(file), new Writable({ write: (_c, _e, done) => done() }));
}
