import { endpointRequest, endpointUnreachable } from './engine-endpoint.ts';
import { unreachable, type DockerClient } from './docker.ts';
import { isDocker, type EngineSource } from './engine-read.ts';

/** A container's healthcheck as the engine applies it (image or compose), in nanoseconds. */
export interface AppliedHealthcheck {
  readonly test: readonly string[] | undefined;
  readonly intervalNs: number | undefined;
  readonly timeoutNs: number | undefined;
  readonly retries: number | undefined;
  readonly startPeriodNs: number | undefined;
}

/** What one inspect tells a rollout about a container. */
export interface HealthInfo {
  readonly check: AppliedHealthcheck | undefined;
  /** Undefined without a healthcheck. */
  readonly health: string | undefined;
  readonly ips: string[];
  /** Its stop grace period in seconds (`stop_grace_period`), Docker's 10 s when unset. */
  readonly stopTimeout: number;
}

/** One inspect: the applied healthcheck, the current health status, the container's IPs and stop grace period. */
export async function inspectHealth(docker: DockerClient, id: string): Promise<HealthInfo> {
  let info: Awaited<ReturnType<ReturnType<DockerClient['getContainer']>['inspect']>>;
  try {
    info = await docker.getContainer(id).inspect();
  } catch (error) {
    throw engineError(docker, error);
  }
  const raw = info.Config.Healthcheck as { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | undefined;
  const check = raw === undefined ? undefined : { test: raw.Test, intervalNs: raw.Interval, timeoutNs: raw.Timeout, retries: raw.Retries, startPeriodNs: raw.StartPeriod };
  const ips = Object.values(info.NetworkSettings.Networks ?? {}).map((n) => n.IPAddress).filter((ip) => ip !== '');
  return { check, health: info.State.Health?.Status, ips, stopTimeout: (info.Config as { StopTimeout?: number }).StopTimeout ?? DEFAULT_STOP_TIMEOUT_S };
}

/** Removes containers by force; one already gone is not an error, an engine that does not answer is (DOCKER_UNREACHABLE). */
export async function removeContainers(docker: DockerClient, ids: readonly string[]): Promise<void> {
  const results = await Promise.allSettled(ids.map((id) => docker.getContainer(id).remove({ force: true }).catch(ignoreStatus(404, 409))));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw engineError(docker, failed.reason);
}

/** Docker's stop grace period when the container sets none. */
const DEFAULT_STOP_TIMEOUT_S = 10;

/**
 * Starts created containers, all at once (compose starts a service's
 * containers one by one); one already running is not an error. Over plain
 * HTTP for an endpoint source, so the starts need no dockerode.
 */
export async function startContainers(engine: EngineSource, ids: readonly string[]): Promise<void> {
  const start = (id: string): Promise<unknown> =>
    isDocker(engine) ? engine.getContainer(id).start().catch(ignoreStatus(304)) : enginePost(engine.endpoint, `/containers/${encodeURIComponent(id)}/start`, [204, 304]);
  const results = await Promise.allSettled(ids.map(start));
  const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failed !== undefined) throw isDocker(engine) ? engineError(engine, failed.reason) : failed.reason;
}

/** `POST path` with no body over node:http; an answer outside `ok` fails with its statusCode and message, an engine that does not answer with DOCKER_UNREACHABLE. */
function enginePost(endpoint: Extract<EngineSource, { endpoint: unknown }>['endpoint'], path: string, ok: readonly number[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const req = endpointRequest(endpoint, { path, method: 'POST' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        if (ok.includes(res.statusCode ?? 0)) return resolve();
        const body = Buffer.concat(chunks).toString('utf8').trim();
        let message = body;
        try {
          message = (JSON.parse(body) as { message?: string }).message ?? body;
        } catch {
          // not JSON: the body as it is
        }
        reject(Object.assign(new Error(`(HTTP code ${String(res.statusCode)}) ${message}`), { statusCode: res.statusCode, json: { message } }));
      });
    });
    req.on('error', (error: NodeJS.ErrnoException) =>
      reject(
        isEngineGone(error)
          ? endpointUnreachable(endpoint, error.code ?? error.message, error)
          : error,
      ),
    );
    req.end();
  });
}

/**
 * `docker stop` within the container's stop grace period, then remove. The
 * grace period (seconds) comes from an earlier inspectHealth when given;
 * otherwise it is inspected here.
 */
export async function stopAndRemove(docker: DockerClient, id: string, graceSeconds?: number): Promise<void> {
  const container = docker.getContainer(id);
  try {
    let grace = graceSeconds;
    if (grace === undefined) {
      const info = await container.inspect().catch(ignoreStatus(404));
      if (info === undefined) return;
      grace = (info.Config as { StopTimeout?: number }).StopTimeout ?? DEFAULT_STOP_TIMEOUT_S;
    }
    await container.stop({ t: grace }).catch(ignoreStatus(304, 404));
    await container.remove({ force: true }).catch(ignoreStatus(404, 409));
  } catch (error) {
    throw engineError(docker, error);
  }
}

/** A catch handler that turns the given API answers (already gone, already stopped) into undefined. */
function ignoreStatus(...codes: number[]): (error: { statusCode?: number }) => undefined {
  return (error) => {
    if (error.statusCode !== undefined && codes.includes(error.statusCode)) return undefined;
    throw error;
  };
}

/**
 * The drain marker: while this file exists, a healthcheck rendered by railyard
 * fails. /dev/shm is a writable tmpfs in every container, even one with a
 * read-only root filesystem.
 */
export const DRAIN_MARKER = '/dev/shm/.railyard-drain';

/** Runs `cmd` (argv, no shell of ours) in a running container; resolves with its exit code. */
export async function execIn(docker: DockerClient, id: string, cmd: readonly string[], timeoutMs = 5000): Promise<number> {
  try {
    return await execOnce(docker, id, cmd, timeoutMs);
  } catch (error) {
    throw engineError(docker, error);
  }
}

async function execOnce(docker: DockerClient, id: string, cmd: readonly string[], timeoutMs: number): Promise<number> {
  const exec = await docker.getContainer(id).exec({ Cmd: [...cmd], AttachStdout: true, AttachStderr: true });
  const stream = await exec.start({ hijack: true, stdin: false });
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`exec ${cmd[0]} did not finish within ${timeoutMs} ms`)), timeoutMs);
    stream.on('end', () => (clearTimeout(timer), resolve()));
    stream.on('close', () => (clearTimeout(timer), resolve()));
    stream.on('error', (error) => (clearTimeout(timer), reject(error)));
    stream.resume();
  });
  const info = await exec.inspect();
  return info.ExitCode ?? -1;
}

/**
 * Puts the drain marker in a container through the Engine API (an exec of the
 * image's /bin/sh, which its wrapped healthcheck needs anyway). False when the
 * exec ran but could not write the file.
 */
export async function markDraining(docker: DockerClient, id: string): Promise<boolean> {
  return (await execIn(docker, id, ['/bin/sh', '-c', `: > ${DRAIN_MARKER}`])) === 0;
}

/** Errors of a socket that no longer answers (engine killed or restarting). */
const GONE = new Set(['ECONNREFUSED', 'ENOENT', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH']);

/** Whether an engine call failed because the engine is gone, rather than with an API answer. */
export function isEngineGone(error: unknown): boolean {
  const e = error as { code?: unknown; statusCode?: unknown; message?: unknown } | undefined;
  if (e === undefined || e === null) return false;
  if (typeof e.code === 'string' && GONE.has(e.code)) return true;
  return typeof e.message === 'string' && /socket hang up|connect ECONNREFUSED|connect ENOENT/.test(e.message);
}

/** DOCKER_UNREACHABLE for a gone engine; other errors unchanged. */
export function engineError(docker: DockerClient, error: unknown): unknown {
  return isEngineGone(error) ? unreachable(docker, error) : error;
}
