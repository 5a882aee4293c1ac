import type { Rollout } from '../../config/db-types.ts';
import { inspectHealth } from '../../runtime/container-ops.ts';
import type { DockerClient } from '../../runtime/docker.ts';
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
export async function readyPolicy(docker: DockerClient, id: string, rollout: Rollout | undefined): Promise<{ policy: ReadyPolicy; health: string | undefined }> {
  const { check, health } = await inspectHealth(docker, id);
  const hasHealthcheck = check?.test !== undefined && check.test.length > 0 && check.test[0] !== 'NONE';
  const ms = (ns: number | undefined, fallback: number): number => (ns !== undefined && ns > 0 ? ns / NS_PER_MS : fallback);
  const derived =
    ms(check?.startPeriodNs, DEFAULTS.startPeriod) +
    (ms(check?.intervalNs, DEFAULTS.interval) + ms(check?.timeoutNs, DEFAULTS.timeout)) * (check?.retries || DEFAULTS.retries) +
    TIMEOUT_MARGIN_MS;
  return {
    policy: {
      id,
      hasHealthcheck,
      timeoutMs: rollout?.timeout !== undefined ? parseDuration(rollout.timeout) : derived,
      settleMs: rollout?.settle !== undefined ? parseDuration(rollout.settle) : DEFAULT_SETTLE_MS,
    },
    health,
  };
}
