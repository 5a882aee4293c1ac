import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeCli } from '../config/compose-cli.ts';
import { RailyardError } from '../core/errors.ts';

/** One compose project on the host. */
export interface ComposeTarget {
  /** Compose project name; lowercased before use, as compose does. */
  readonly project: string;
  /** The project's compose file; absent for `down` of a project whose file is gone. */
  readonly file?: string;
  /** DOCKER_HOST for the CLI. @default inherited */
  readonly dockerHost?: string | undefined;
  readonly signal?: AbortSignal;
}

export interface UpOptions {
  /** Services to bring up; all when empty. */
  readonly services?: readonly string[];
  /** Replica count per service (`--scale svc=N`). */
  readonly scale?: Readonly<Record<string, number>>;
  /** @default false */
  readonly noDeps?: boolean;
  /** @default false */
  readonly noRecreate?: boolean;
  /** @default false */
  readonly forceRecreate?: boolean;
  /** Create the containers, start none (`--no-start`): the caller starts them. @default false */
  readonly noStart?: boolean;
}

/** Compose project names are lowercase (compose rejects upper case). */
export function composeProjectName(project: string): string {
  return project.toLowerCase();
}

/** Compose's argv after the program: `-p <project> [-f <file>] ...args`. */
function composeArgv(target: ComposeTarget, args: readonly string[]): string[] {
  const head = ['-p', composeProjectName(target.project)];
  if (target.file !== undefined) head.push('-f', target.file);
  return [...head, ...args];
}

/**
 * Runs compose with an argv array (never a shell): the plugin's binary on its
 * own where the docker CLI has it, else `docker compose` (config/compose-cli.ts).
 * Fails with COMPOSE_FAILED and stderr's tail. Spawned through
 * node:child_process (no execa to load before the first container is created).
 */
export async function runCompose(target: ComposeTarget, args: readonly string[]): Promise<string> {
  const argv = composeArgv(target, args);
  const how = composeCli(target.dockerHost);
  const cli = [...how.prefix, ...argv];
  const { exitCode, stdout, stderr, error } = await spawnCli(how.command, cli, how.env, target);
  if (exitCode === 0) return stdout;
  const tail = stderr.trim().split('\n').slice(-3).join(' | ') || error?.message || `exit code ${String(exitCode)}`;
  const code = /no such file|not found|yaml|invalid|unsupported/i.test(stderr) && args[0] === 'config' ? 'COMPOSE_INVALID' : 'COMPOSE_FAILED';
  throw new RailyardError(code, `docker compose ${args.join(' ')} failed: ${tail}`, {
    cause: error ?? new Error(`${how.command} ${cli.join(' ')} exited with ${String(exitCode)}`),
    project: target.project,
    data: { argv, stderr: stderr.slice(-4000) },
  });
}

interface CliResult {
  readonly exitCode: number | null;
  readonly stdout: string;
  readonly stderr: string;
  /** Spawn failure or the abort, when there was one. */
  readonly error?: Error;
}

function spawnCli(command: string, argv: readonly string[], env: NodeJS.ProcessEnv, target: ComposeTarget): Promise<CliResult> {
  return new Promise((resolve) => {
    const child = spawn(command, argv, {
      stdio: ['ignore', 'pipe', 'pipe'],
      env,
      // Without -f, compose would pick up a compose file from the working directory.
      ...(target.file === undefined ? { cwd: emptyDir() } : {}),
      ...(target.signal ? { signal: target.signal } : {}),
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let failure: Error | undefined;
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    const finish = (exitCode: number | null): void => {
      const stdout = Buffer.concat(out).toString('utf8').replace(/\n$/, '');
      resolve({ exitCode: failure ? null : exitCode, stdout, stderr: Buffer.concat(err).toString('utf8'), ...(failure ? { error: failure } : {}) });
    };
    child.on('error', (error) => {
      failure = error;
      if (child.pid === undefined) finish(null); // never started: no 'close' to wait for
    });
    child.on('close', finish);
  });
}

/** `docker compose up -d` with the given services and flags. */
export async function composeUp(target: ComposeTarget, options: UpOptions = {}): Promise<void> {
  const args = ['up', '-d', '--quiet-pull'];
  if (options.noDeps) args.push('--no-deps');
  if (options.noRecreate) args.push('--no-recreate');
  if (options.forceRecreate) args.push('--force-recreate');
  if (options.noStart) args.push('--no-start');
  for (const [service, count] of Object.entries(options.scale ?? {})) args.push('--scale', `${service}=${count}`);
  await runCompose(target, [...args, ...(options.services ?? [])]);
}

/** `docker compose down` (never `-v`: volumes and upstream/<project>/ stay). */
export async function composeDown(target: ComposeTarget, services: readonly string[] = []): Promise<void> {
  await runCompose(target, ['down', ...services]);
}

let empty: string | undefined;
function emptyDir(): string {
  empty ??= mkdtempSync(join(tmpdir(), 'railyard-compose-'));
  return empty;
}
