import type Docker from 'dockerode';
import type { Rollout } from '../../config/db-types.ts';
import { parseDuration } from '../../runtime/duration.ts';
import type { ReadyPolicy } from '../../runtime/wait-healthy.ts';

/** Added to the healthcheck-derived timeout: events, scheduling and slow starts. */
export const TIMEOUT_MARGIN_MS = 5000;
/** @default 10 s, as in issue 4 */
export const DEFAULT_SETTLE_MS = 10_000;

const NS_PER_MS = 1e6;
// Docker's defaults when a healthcheck leaves a field at 0.
const DEFAULTS = { interval: 30_000, timeout: 30_000, retries: 3, startPeriod: 0 };

/**
 * How long to wait for a new container, and on what: its healthcheck (from
 * the image or compose, as the engine applies it) or, without one, a settle time.
 * Timeout: start_period + (interval + timeout) × retries + margin, or rollout.timeout.
 */
export async function readyPolicy(docker: Docker, id: string, rollout: Rollout | undefined): Promise<{ policy: ReadyPolicy; health: string | undefined }> {
  const info = await docker.getContainer(id).inspect();
  const check = info.Config.Healthcheck as { Test?: string[]; Interval?: number; Timeout?: number; Retries?: number; StartPeriod?: number } | undefined;
  const hasHealthcheck = check?.Test !== undefined && check.Test.length > 0 && check.Test[0] !== 'NONE';
  const ms = (ns: number | undefined, fallback: number): number => (ns !== undefined && ns > 0 ? ns / NS_PER_MS : fallback);
  const derived =
    ms(check?.StartPeriod, DEFAULTS.startPeriod) +
    (ms(check?.Interval, DEFAULTS.interval) + ms(check?.Timeout, DEFAULTS.timeout)) * (check?.Retries || DEFAULTS.retries) +
    TIMEOUT_MARGIN_MS;
  return {
    policy: {
      id,
      hasHealthcheck,
      timeoutMs: rollout?.timeout !== undefined ? parseDuration(rollout.timeout) : derived,
      settleMs: rollout?.settle !== undefined ? parseDuration(rollout.settle) : DEFAULT_SETTLE_MS,
    },
    health: info.State.Health?.Status,
  };
}
