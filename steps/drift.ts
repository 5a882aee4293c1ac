import type { Step } from '../pipeline/types.ts';
import { isRailyardError } from '../core/errors.ts';
import { computeDiff, desiredFromRender, type PlannedService } from './diff/index.ts';
import { isSwarmEntry } from './diff/swarm-plan.ts';
import { readSourceOf } from '../runtime/engine-read.ts';
import { render } from './render/index.ts';
import { validate } from './validate.ts';

export interface DriftResult {
  /**
   * Projects whose plan has work (a config change, an image that moved, a
   * container gone or changed by hand), or, on swarm, whose tasks a node that
   * is down took, from ONE listing of the whole host; undefined when no
   * stack-wide check was asked for or Docker could not be reached, in which
   * case the fan-out falls back to rendered hashes.
   */
  readonly projects: readonly string[] | undefined;
  /** Why each drifted project drifted, one line per service (swarm lines name the node). */
  readonly reasons: Readonly<Record<string, readonly string[]>>;
}

/**
 * The last step of a sync started by `railyard apply` or `reconcile`
 * (`trigger.meta.all`): instead of a deploy run for every project, which
 * re-renders the stack once per project, one stack-wide diff names the
 * projects that need one. A push (no `all`) skips it: rendered hashes decide.
 */
export const drift: Step<'drift', DriftResult> = {
  name: 'drift',
  needs: [validate, render],
  async run(ctx) {
    if (ctx.trigger.meta?.['all'] !== true) return { projects: undefined, reasons: {} };
    const desired = desiredFromRender(ctx.resultOf(render), ctx.resultOf(validate).config, ctx.env.root, ctx.env);
    try {
      const { plan } = await computeDiff(readSourceOf(ctx.clients), desired, { service: undefined }, ctx.env.root);
      const result = driftOf(plan);
      ctx.log.info({ projects: result.projects, reasons: result.reasons }, 'drift computed');
      return result;
    } catch (error) {
      if (!isRailyardError(error, 'DOCKER_UNREACHABLE')) throw error;
      // The deploys will fail with this same error, each for its own project, which is where it belongs.
      ctx.log.warn({ code: error.code }, 'drift not computed: Docker unreachable, every project gets a deploy run');
      return { projects: undefined, reasons: {} };
    }
  },
};

/** Pure: the projects a plan says differ from the host, with why. */
export function driftOf(plan: readonly PlannedService[]): { projects: string[]; reasons: Record<string, string[]> } {
  const reasons: Record<string, string[]> = {};
  for (const entry of plan) {
    const why = serviceDrift(entry);
    if (why.length > 0) (reasons[entry.project] ??= []).push(...why.map((w) => `${entry.service}: ${w}`));
  }
  return { projects: Object.keys(reasons), reasons };
}

/**
 * A service's drift: the plan's reason when it has work; on swarm also each
 * down node the service had tasks on. The plan calls a service whose tasks
 * Swarm rescheduled `unchanged` (a deploy would change nothing), but the
 * host is not what it was: a node is gone, and it is named.
 */
function serviceDrift(entry: PlannedService): string[] {
  const why = entry.action === 'unchanged' ? [] : [entry.reason];
  if (!isSwarmEntry(entry) || entry.tasks === undefined) return why;
  for (const node of entry.tasks.nodes) {
    if (!entry.tasks.lostOn.includes(node.node)) continue;
    const still = node.desired - node.running;
    // Tasks still wanted there: the plan's reason ("2 of 4 tasks running (not running on X (node down))") said it.
    if (still > 0 && entry.action !== 'unchanged') continue;
    const count = `${entry.tasks.running}/${entry.tasks.desired} running`;
    if (still > 0) why.push(`${still} task(s) on swarm node ${node.node}, which is down`);
    else if (entry.tasks.running >= entry.tasks.desired) why.push(`swarm node ${node.node} is down; its ${node.lost} task(s) were rescheduled (${count})`);
    else why.push(`swarm node ${node.node} is down with ${node.lost} task(s); Swarm has not placed them all elsewhere (${count})`);
  }
  return why;
}
