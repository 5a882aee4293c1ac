import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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
}

/** Compose project names are lowercase (compose rejects upper case). */
export function composeProjectName(project: string): string {
  return project.toLowerCase();
}

/** Argv for `docker compose -p <project> [-f <file>] ...args`. */
export function composeArgv(target: ComposeTarget, args: readonly string[]): string[] {
  const head = ['compose', '-p', composeProjectName(target.project)];
  if (target.file !== undefined) head.push('-f', target.file);
  return [...head, ...args];
}

/** Runs `docker compose` with an argv array (never a shell). Fails with COMPOSE_FAILED and stderr's tail. */
export async function runCompose(target: ComposeTarget, args: readonly string[]): Promise<string> {
  const argv = composeArgv(target, args);
  const env: Record<string, string> = {};
  if (target.dockerHost !== undefined) env['DOCKER_HOST'] = target.dockerHost;
  // Loaded on first use: commands that never run compose (backup, validate) don't pay for it.
  const { execa, ExecaError } = await import('execa');
  try {
    const result = await execa('docker', argv, {
      env,
      stdin: 'ignore',
      // Without -f, compose would pick up a compose file from the working directory.
      ...(target.file === undefined ? { cwd: emptyDir() } : {}),
      ...(target.signal ? { cancelSignal: target.signal } : {}),
    });
    return result.stdout;
  } catch (error) {
    const stderr = error instanceof ExecaError ? String(error.stderr ?? '') : '';
    const tail = stderr.trim().split('\n').slice(-3).join(' | ') || (error as Error).message;
    const code = /no such file|not found|yaml|invalid|unsupported/i.test(stderr) && args[0] === 'config' ? 'COMPOSE_INVALID' : 'COMPOSE_FAILED';
    throw new RailyardError(code, `docker compose ${args.join(' ')} failed: ${tail}`, {
      cause: error,
      project: target.project,
      data: { argv, stderr: stderr.slice(-4000) },
    });
  }
}

/** `docker compose up -d` with the given services and flags. */
export async function composeUp(target: ComposeTarget, options: UpOptions = {}): Promise<void> {
  const args = ['up', '-d', '--quiet-pull'];
  if (options.noDeps) args.push('--no-deps');
  if (options.noRecreate) args.push('--no-recreate');
  if (options.forceRecreate) args.push('--force-recreate');
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
