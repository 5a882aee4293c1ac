import type { DbConfig } from '../config/db-types.ts';
import { cachedCheck } from '../config/db-cache.ts';
import { formatProblem, type ConfigProblem } from '../config/problem.ts';
import { locateDb } from '../config/stack.ts';
import { readDbText } from '../pipeline/clone-lock.ts';
import type { Step } from '../pipeline/types.ts';

export interface ValidateResult {
  readonly config: DbConfig;
  /** The db.yml that was read, as named in messages. */
  readonly file: string;
}

/** Loads and checks db.yml; a broken file fails the run before anything is touched. */
export const validate: Step<'validate', ValidateResult> = {
  name: 'validate',
  async run(ctx) {
    const location = locateDb(ctx.env);
    if (location.warning) ctx.log.warn({ file: location.path }, 'db.yml missing, using the sample');
    // Only the projects that changed since the last check of this root are validated again (issue 17 item 4).
    const result = await cachedCheck(ctx.env.root, { save: true })(await readDbText(ctx.env, location), location.label, ctx.env.vars);
    if (!result.ok) {
      const problems: readonly ConfigProblem[] = result.problems;
      ctx.log.error({ problems: problems.map(formatProblem) }, 'db.yml is invalid');
      throw ctx.fail('CONFIG_INVALID', `${location.label}: ${problems.length} problem(s), first: ${formatProblem(problems[0]!)}`);
    }
    if (result.warnings.length > 0) ctx.log.warn({ warnings: result.warnings.map(formatProblem) }, 'db.yml has warnings');
    ctx.log.info({ file: location.label, projects: result.config.projects.length }, 'db.yml valid');
    return { config: result.config, file: location.label };
  },
};
