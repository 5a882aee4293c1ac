import type Docker from 'dockerode';

/**
 * Podman runs healthchecks from systemd timers. Where none runs them (a host
 * or container without systemd, as on these test machines), a container's
 * health stays `starting` forever, and Podman 4.3's own `health_status`
 * events carry the status from before the check. So on a Podman engine
 * railyard runs each watched container's healthcheck itself, on the check's
 * interval, through libpod's API (`GET /v4.0.0/libpod/containers/{id}/healthcheck`, the oldest libpod API version 4.x serves,
 * runs it and records the result), and reports each change of status as the
 * `health_status: <status>` event Docker would have sent.
 */

const enginesSeen = new WeakMap<Docker, Promise<boolean>>();
/** Docker's default interval, used when the healthcheck sets none. */
const DEFAULT_INTERVAL_MS = 30_000;
const NS_PER_MS = 1e6;

/** Whether the client talks to Podman (its /version lists a "Podman Engine" component); asked once per client. */
export function isPodman(docker: Docker): Promise<boolean> {
  let answer = enginesSeen.get(docker);
  if (answer === undefined) {
    answer = docker.version().then(
      (v) => ((v as { Components?: { Name?: string }[] }).Components ?? []).some((c) => c.Name === 'Podman Engine'),
      () => false,
    );
    enginesSeen.set(docker, answer);
  }
  return answer;
}

/** A health event in the shape of Docker's (`health_status: healthy`), from a check railyard ran. */
export interface DrivenHealth {
  readonly id: string;
  readonly status: string;
  /** Epoch ms the check finished. */
  readonly at: number;
}

export interface HealthDriver {
  /** Runs the container's healthcheck on its interval until untracked or closed; no-op without a healthcheck. */
  track(id: string): void;
  untrack(id: string): void;
  close(): void;
}

/** Drives healthchecks of the tracked containers; `emit` gets every change of status. */
export function healthDriver(docker: Docker, emit: (health: DrivenHealth) => void): HealthDriver {
  const timers = new Map<string, NodeJS.Timeout | undefined>();
  const last = new Map<string, string>();
  let closed = false;

  const check = async (id: string, intervalMs: number): Promise<void> => {
    if (closed || !timers.has(id)) return;
    const status = await runHealthcheck(docker, id);
    if (closed || !timers.has(id)) return;
    if (status !== undefined && status !== last.get(id)) {
      last.set(id, status);
      emit({ id, status, at: Date.now() });
    }
    if (status === undefined) return void timers.delete(id); // gone, or no healthcheck
    timers.set(id, setTimeout(() => void check(id, intervalMs), intervalMs));
  };

  return {
    track(id) {
      if (closed || timers.has(id)) return;
      timers.set(id, undefined);
      void intervalOf(docker, id).then((intervalMs) => {
        if (closed || !timers.has(id)) return;
        if (intervalMs === undefined) return void timers.delete(id);
        timers.set(id, setTimeout(() => void check(id, intervalMs), Math.min(intervalMs, 250)));
      });
    },
    untrack(id) {
      clearTimeout(timers.get(id));
      timers.delete(id);
    },
    close() {
      closed = true;
      for (const timer of timers.values()) clearTimeout(timer);
      timers.clear();
    },
  };
}

/** The healthcheck's interval in ms, or undefined when the container has none (or is gone). */
async function intervalOf(docker: Docker, id: string): Promise<number | undefined> {
  const info = await docker.getContainer(id).inspect().catch(() => undefined);
  const check = info?.Config.Healthcheck as { Test?: string[]; Interval?: number } | undefined;
  if (check?.Test === undefined || check.Test.length === 0 || check.Test[0] === 'NONE') return undefined;
  return check.Interval !== undefined && check.Interval > 0 ? check.Interval / NS_PER_MS : DEFAULT_INTERVAL_MS;
}

/** Runs one healthcheck through libpod; resolves with the resulting status, or undefined when it cannot run. */
async function runHealthcheck(docker: Docker, id: string): Promise<string | undefined> {
  const answer = await new Promise<unknown>((resolve) => {
    docker.modem.dial(
      { path: `/v4.0.0/libpod/containers/${encodeURIComponent(id)}/healthcheck`, method: 'GET', statusCodes: { 200: true, 404: 'no such container', 409: 'no healthcheck', 500: 'server error' }, options: {} },
      (error: unknown, data: unknown) => resolve(error ? undefined : data),
    );
  });
  const status = (answer as { Status?: unknown } | undefined)?.Status;
  return typeof status === 'string' && status !== '' ? status : undefined;
}

/** What watchContainerEvents needs on a Podman engine: driven health events for the watched containers. */
export interface PodmanHealth {
  /** Sees every event of the watch: tracks containers that start, drops those that die. */
  observe(action: string, id: string): void;
  close(): void;
}

/**
 * On a Podman engine, drives the healthchecks of the containers matching
 * `labels` (those running now and those that start later) and delivers each
 * change as Docker's `health_status: <status>` action; undefined on Docker.
 */
export async function podmanHealth(docker: Docker, labels: readonly string[], deliver: (action: string, id: string, atMs: number) => void): Promise<PodmanHealth | undefined> {
  if (!(await isPodman(docker))) return undefined;
  const driver = healthDriver(docker, (h) => deliver(`health_status: ${h.status}`, h.id, h.at));
  const running = await docker.listContainers({ filters: { label: [...labels], status: ['running'] } }).catch(() => []);
  for (const container of running) driver.track(container.Id);
  return {
    observe(action, id) {
      if (action === 'start') driver.track(id);
      else if (action === 'die' || action === 'destroy') driver.untrack(id);
    },
    close: () => driver.close(),
  };
}

/** Podman 4.3's own health events (`health_status` with the status from before the check): ignored where railyard drives the checks. */
export function isPodmanHealthEvent(action: string): boolean {
  return action === 'health_status';
}
