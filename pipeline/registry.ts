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
 *   becomes `c`. Pipelines that run per project share the project's queue, so
 *   every pair of them must be listed: a missing pair fails here, at start-up,
 *   rather than dropping one trigger's work later. Whole-stack pipelines each
 *   have their own queue and never merge with another pipeline.
 */
export function createRegistry(pipelines: readonly Pipeline[], merges: Readonly<Record<string, string>> = {}): PipelineRegistry {
  const byName = new Map(pipelines.map((p) => [p.name, p]));
  for (const [pair, result] of Object.entries(merges)) {
    if (!byName.has(result) || pair.split('|').some((name) => !byName.has(name))) {
      throw new TypeError(`Pipeline merge "${pair}" -> "${result}" names an unknown pipeline`);
    }
  }
  const merged = (a: string, b: string): string | undefined => (a === b ? a : merges[`${a}|${b}`] ?? merges[`${b}|${a}`]);
  const perProject = pipelines.filter((p) => p.scope === 'project').map((p) => p.name);
  for (const [i, a] of perProject.entries()) {
    const b = perProject.slice(i + 1).find((other) => merged(a, other) === undefined);
    if (b !== undefined) throw new TypeError(`Pipelines "${a}" and "${b}" both run per project, but no merge "${a}|${b}" is declared`);
  }
  return {
    get: (name) => byName.get(name),
    merge: (older, newer) => {
      const result = merged(older, newer);
      if (result === undefined) throw new TypeError(`Pipelines "${older}" and "${newer}" do not merge`);
      return result;
    },
    check(env) {
      const steps = new Set<Step>(pipelines.flatMap((p) => p.steps));
      for (const step of steps) step.check?.(env);
    },
  };
}
