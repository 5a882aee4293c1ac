import { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import { loadEnv, type Env } from '../config/env.ts';
import { createLogger, type Logger } from '../core/logger.ts';
import { STACK, type TriggerRequest } from '../core/types.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import type { RunRecord } from '../pipeline/run-record.ts';
import { createDocker } from '../runtime/docker.ts';
import { readSourceFor } from '../runtime/engine-read.ts';
import { upstreamArchive } from '../steps/backup/archive.ts';
import { SWARM_DATA_WARNING, warnSwarmData } from '../steps/backup/swarm-data.ts';
import { DigestStream } from '../steps/backup/digest-stream.ts';
import { checkGenerations, listBackups } from '../steps/backup/generations.ts';
import { generationKey } from '../steps/backup/keys.ts';
import { planRotation } from '../steps/backup/rotate.ts';
import { onTarget, openTarget } from '../steps/backup/target.ts';
import { printJson, type GlobalOptions } from './context.ts';
import { runJson, runLine } from '../app/run-format.ts';
import { triggerRun } from './trigger-run.ts';
import { formatSize } from '../hooks/dashboard/stack-pages.ts';

interface BackupOptions {
  readonly dryRun?: boolean;
  readonly detach?: boolean;
  readonly json?: boolean;
}

/**
 * `railyard backup [--dry-run]` runs the `backup` pipeline through the runner
 * (so it is in `railyard runs`); `railyard backup list` shows the generations.
 * Options are parsed before anything is read or written: `--help` or a bad
 * option never starts a backup.
 */
export function backupCommand(program: Command): void {
  const backup = program
    .command('backup')
    .description('back up upstream/ as a streamed tar.gz to S3 (AWS_*), or to backups/ without S3 settings: archive → verify → promote → rotate')
    .option('--dry-run', 'archive without storing anything: show the size, the key and what rotation would delete')
    .option('--detach', 'queue the run and return; a running `railyard worker` or `serve` runs it')
    .option('--json', 'print the result as JSON')
    .action(async (options: BackupOptions, command: Command) => {
      const { env, log } = backupContext(command);
      if (options.dryRun) await dryRun(env, log, options.json === true);
      else await runBackup(env, log, options);
    });
  backup
    .command('list')
    .description('the backups, newest first: key, size, date, and whether the backup was verified')
    .option('--json', 'print the backups as JSON')
    .action(async (_options: unknown, command: Command) => {
      // `--json` after `list` may be taken by `backup`'s own --json: read both.
      const options = command.optsWithGlobals<{ json?: boolean }>();
      const { env } = backupContext(command);
      const target = await openTarget(env);
      const { generations } = await onTarget(target, 'list backups', () => listBackups(target, env.backupPrefix));
      const checked = await onTarget(target, 'read backups', () => checkGenerations(target, generations));
      const rows = checked.map((g) => ({ key: g.key, size: g.size, date: g.date.toISOString(), validated: g.validated, sha256: g.digest?.sha256 }));
      if (options.json) printJson({ target: target.description, backups: rows });
      else if (rows.length === 0) process.stdout.write(`no backups in ${target.description}\n`);
      else process.stdout.write(rows.map((r) => `${r.key}  ${formatSize(r.size).padStart(9)}  ${r.date}  ${r.validated ? 'validated' : 'NOT validated'}\n`).join(''));
    });
}

function backupContext(command: Command): { env: Env; log: Logger } {
  // No db.yml is read: a backup needs only the environment.
  const env = loadEnv({ root: command.optsWithGlobals<GlobalOptions>().root });
  return { env, log: createLogger({ level: env.logLevel, secrets: env.secrets }) };
}

async function runBackup(env: Env, log: Logger, options: BackupOptions): Promise<void> {
  const request: TriggerRequest = { pipeline: 'backup', project: STACK, trigger: { kind: 'cli' } };
  const [run] = (await triggerRun(env, log, request, options)) ?? [];
  if (run === undefined) return;
  const warnings = runWarnings(env, run);
  if (options.json) printJson({ run: runJson(run), warnings });
  else process.stdout.write(`${runLine(run)}\n${warnings.map((w) => `warning: ${w}\n`).join('')}`);
}

/** The swarm-data warnings the run logged (whichever process ran it: they are in the stored log). */
function runWarnings(env: Env, run: RunRecord): string[] {
  const store = RunStore.open(storePath(env.root));
  try {
    return store.logOf(run.id).flatMap((line) => {
      if (!line.includes(SWARM_DATA_WARNING)) return [];
      const entry = JSON.parse(line) as { msg?: string; warning?: unknown };
      return entry.msg === SWARM_DATA_WARNING && typeof entry.warning === 'string' ? [entry.warning] : [];
    });
  } finally {
    store.close();
  }
}

/** Archives to nowhere, and plans the rotation as if the archive had been stored. */
async function dryRun(env: Env, log: Logger, json: boolean): Promise<void> {
  const target = await openTarget(env);
  const warnings = warnSwarmData(readSourceFor(env.dockerHost, () => createDocker(env.dockerHost)), env.root, log);
  const tree = upstreamArchive(env, log);
  const digest = new DigestStream();
  await pipeline(tree.stream, digest, new Writable({ write: (_chunk, _encoding, done) => done() }));
  const { size } = digest.digest();
  const { generations } = await onTarget(target, 'list backups', () => listBackups(target, env.backupPrefix));
  const plan = await onTarget(target, 'read backups', () => planRotation(target, generations, env.backupKeep - 1, ''));
  const key = generationKey(env.backupPrefix, new Date());
  const result = { dryRun: true, target: target.description, key, size, entries: tree.stats.entries, skipped: tree.stats.skipped, wouldDelete: plan.deleted, warnings: await warnings };
  if (json) {
    printJson(result);
    return;
  }
  process.stdout.write(`dry run: would store ${formatSize(size)} (${result.entries} entries, ${result.skipped} skipped) in ${result.target} as ${key}\n`);
  process.stdout.write(plan.deleted.length === 0 ? 'rotation would delete nothing\n' : `rotation would delete: ${plan.deleted.join(' ')}\n`);
  process.stdout.write(result.warnings.map((w) => `warning: ${w}\n`).join(''));
}
