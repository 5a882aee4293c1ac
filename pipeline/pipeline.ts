import type { Pipeline, Step } from './types.ts';

export interface PipelineOptions {
  /** @default 'project' */
  readonly scope?: Pipeline['scope'];
  readonly followUps?: Pipeline['followUps'];
  readonly triggerMeta?: Pipeline['triggerMeta'];
}

/**
 * Declares a pipeline: its steps run in the given order. A step whose `needs`
 * do not all come before it is refused here, at start-up, not in the middle of
 * a run.
 */
export function createPipeline(name: string, steps: readonly Step[], options: PipelineOptions = {}): Pipeline {
  const names = new Set<string>();
  steps.forEach((step, index) => {
    if (names.has(step.name)) throw new TypeError(`Pipeline "${name}" lists step "${step.name}" twice`);
    names.add(step.name);
    const missing = (step.needs ?? []).filter((need) => !steps.slice(0, index).includes(need));
    if (missing.length > 0) {
      const list = missing.map((s) => `"${s.name}"`).join(', ');
      throw new TypeError(`Pipeline "${name}": step "${step.name}" needs ${list} to run before it`);
    }
  });
  return {
    name,
    scope: options.scope ?? 'project',
    steps: Object.freeze([...steps]),
    ...(options.followUps && { followUps: options.followUps }),
    ...(options.triggerMeta && { triggerMeta: options.triggerMeta }),
  };
}
