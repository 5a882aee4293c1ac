import type { Env } from '../config/env.ts';
import type { Pipeline, Step } from './types.ts';

/** The pipelines a runner knows, and how two of them merge when their triggers coalesce. */
export interface PipelineRegistry {
  get(name: string): Pipeline | undefined;
  /** The pipeline a pending job runs after absorbing a newer trigger. */
  merge(older: string, newer: string): string;
  /** Runs every step's start-up `check` once: a bad environment fails the start. */
  check(env: Env): void;
}

/**
 * @param merges `"a|b": "c"`: a pending `a` absorbing a `b` (or the reverse)
 *   becomes `c`. Unlisted pairs take the newer trigger's pipeline.
 */
export function createRegistry(pipelines: readonly Pipeline[], merges: Readonly<Record<string, string>> = {}): PipelineRegistry {
  const byName = new Map(pipelines.map((p) => [p.name, p]));
  for (const [pair, result] of Object.entries(merges)) {
    if (!byName.has(result) || pair.split('|').some((name) => !byName.has(name))) {
      throw new TypeError(`Pipeline merge "${pair}" -> "${result}" names an unknown pipeline`);
    }
  }
  return {
    get: (name) => byName.get(name),
    merge: (older, newer) => (older === newer ? older : merges[`${older}|${newer}`] ?? merges[`${newer}|${older}`] ?? newer),
    check(env) {
      const steps = new Set<Step>(pipelines.flatMap((p) => p.steps));
      for (const step of steps) step.check?.(env);
    },
  };
}
