import type { Step } from '../pipeline/types.ts';
import { diff } from './diff/index.ts';
import { drift } from './drift.ts';
import { pull } from './pull/index.ts';
import { render } from './render/index.ts';
import { rollout } from './rollout/index.ts';
import { pullImages } from './rollout/pull-images.ts';
import { validate } from './validate.ts';

/** Every step, registered here and nowhere else (like Renovate's api.ts). */
export { diff, drift, pull, pullImages, render, rollout, validate };

/**
 * The pipelines, as step lists in run order. pipeline/pipelines.ts turns them
 * into pipelines; a new step is added here, in one line.
 */
export const PIPELINE_STEPS = {
  /** A project's config changed: pull → validate → render → diff → rollout (images only with `--pull`). */
  deploy: [pull, validate, render, pullImages, diff, rollout],
  /** A project's image changed (workflow callback, /update-upstream): no git pull, images pulled. */
  update: [validate, render, pullImages, diff, rollout],
  /** A push to the config repo: pull once, render, then deploy only what changed (apply/reconcile: what drifted). */
  sync: [pull, validate, render, drift],
} as const satisfies Readonly<Record<string, readonly Step[]>>;
