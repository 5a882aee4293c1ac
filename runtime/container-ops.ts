import type { DockerClient } from './docker.ts';

/** A container's healthcheck as the engine applies it (image or compose), in nanoseconds. */
export interface AppliedHealthcheck {
  readonly test: readonly string[] | undefined;
  readonly intervalNs: number | undefined;
  readonly timeoutNs: number | undefined;
  readonly retries: number | undefined;
  readonly startPeriodNs: number | undefined;
}

/** One inspect: the applied healthcheck and the current health status (undefined without a healthcheck). */
export async function inspectHealth(docker: DockerClient, id: string): Promise<{ check: AppliedHealthcheck | undefined; health: string | undefined }> {
  const info = await docker.getContainer(id).inspect();
  const raw = info.Config.Healthcheck as { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | undefined;
  const check = raw === undefined ? undefined : { test: raw.Test, intervalNs: raw.Interval, timeoutNs: raw.Timeout, retries: raw.Retries, startPeriodNs: raw.StartPeriod };
  return { check, health: info.State.Health?.Status };
}

/** Removes containers by force; one already gone is not an error. */
export async function removeContainers(docker: DockerClient, ids: readonly string[]): Promise<void> {
  await Promise.all(ids.map((id) => docker.getContainer(id).remove({ force: true }).catch(() => undefined)));
}

/** `docker stop` within the container's stop grace period, then remove. */
export async function stopAndRemove(docker: DockerClient, id: string): Promise<void> {
  const container = docker.getContainer(id);
  const info = await container.inspect().catch(() => undefined);
  if (info === undefined) return;
  const grace = (info.Config as { StopTimeout?: number }).StopTimeout ?? 10;
  await container.stop({ t: grace }).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 304 && error.statusCode !== 404) throw error;
  });
  await container.remove({ force: true }).catch((error: { statusCode?: number }) => {
    if (error.statusCode !== 404 && error.statusCode !== 409) throw error;
  });
}
