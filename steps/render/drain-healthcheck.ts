import type { Healthcheck } from '../../config/db-types.ts';
import { DRAIN_MARKER } from '../../runtime/container-ops.ts';

/** How the old containers of a rollout leave the proxy's rotation before they stop. */
export type DrainMode =
  | { readonly kind: 'marker' }
  | { readonly kind: 'fallback'; /** Why the marker cannot work, for plan. */ readonly why: string };

// Exit 1 is Docker's "unhealthy"; the first line only fails while the marker exists,
// so the user's own check (from the second line on) decides otherwise.
const GUARD = `[ -e ${DRAIN_MARKER} ] && echo "railyard: draining" && exit 1`;

/**
 * Whether railyard can wrap this rendered healthcheck with the drain marker.
 * Only shell-form checks (a string, or CMD-SHELL) already run /bin/sh in the
 * image, so only they can test for the marker file without risking a check
 * that can never pass.
 */
export function drainMode(healthcheck: Healthcheck | undefined): DrainMode {
  if (healthcheck === undefined) return { kind: 'fallback', why: 'no healthcheck in db.yml' };
  if (healthcheck.disable === true) return { kind: 'fallback', why: 'healthcheck disabled' };
  const test = healthcheck.test;
  if (test === undefined) return { kind: 'fallback', why: 'healthcheck has no test (the image\'s check runs unwrapped)' };
  if (typeof test === 'string') return { kind: 'marker' };
  if (test[0] === 'CMD-SHELL' && test.length >= 2) return { kind: 'marker' };
  if (test[0] === 'NONE') return { kind: 'fallback', why: 'healthcheck is NONE' };
  return { kind: 'fallback', why: 'healthcheck test is CMD form (it may run without a shell; write it as CMD-SHELL to drain by marker)' };
}

/**
 * The healthcheck as rendered: the user's check behind the drain guard, when
 * the check runs in a shell; unchanged otherwise. The config hash is taken
 * from the unwrapped check, so the guard never counts as a change.
 */
export function withDrainMarker(healthcheck: Healthcheck): Healthcheck {
  if (drainMode(healthcheck).kind !== 'marker') return healthcheck;
  const test = healthcheck.test!;
  const user = typeof test === 'string' ? test : test.slice(1).join(' ');
  return { ...healthcheck, test: ['CMD-SHELL', `${GUARD}\n${user}`] };
}

/** Whether an applied healthcheck test (as the engine reports it) carries the drain guard. */
export function hasDrainGuard(test: readonly string[] | undefined): boolean {
  return test !== undefined && test[0] === 'CMD-SHELL' && (test[1] ?? '').startsWith(GUARD);
}
