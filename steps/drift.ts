import type { Step } from '../pipeline/types.ts';
import { isRailyardError } from '../core/errors.ts';
import { computeDiff, desiredFromRender } from './diff/index.ts';
import { readSourceOf } from '../runtime/engine-read.ts';
import { render } from './render/index.ts';
import { validate } from './validate.ts';

export interface DriftResult {
  /**
   * Projects whose plan has work (a config change, an image that moved, a
   * container gone or changed by hand), from ONE container listing of the whole
   * host; undefined when no stack-wide check was asked for or Docker could not
   * be reached, in which case the fan-out falls back to rendered hashes.
   */
  readonly projects: readonly string[] | undefined;
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
    if (ctx.trigger.meta?.['all'] !== true) return { projects: undefined };
    const desired = desiredFromRender(ctx.resultOf(render), ctx.resultOf(validate).config, ctx.env.root);
    try {
      const { plan } = await computeDiff(readSourceOf(ctx.clients), desired, { service: undefined }, ctx.env.root);
      const projects = [...new Set(plan.filter((entry) => entry.action !== 'unchanged').map((entry) => entry.project))];
      ctx.log.info({ projects }, 'drift computed');
      return { projects };
    } catch (error) {
      if (!isRailyardError(error, 'DOCKER_UNREACHABLE')) throw error;
      // The deploys will fail with this same error, each for its own project, which is where it belongs.
      ctx.log.warn({ code: error.code }, 'drift not computed: Docker unreachable, every project gets a deploy run');
      return { projects: undefined };
    }
  },
};
