// Test-only pipelines for the runner tests: a step that records each execution
// and can be held open (the "slow job"), and one that fails with a code.
import { createPipeline } from '../../pipeline/pipeline.ts';
import { createRegistry, type PipelineRegistry } from '../../pipeline/registry.ts';
import type { Step, StepContext } from '../../pipeline/types.ts';
import type { TriggerRequest } from '../../core/types.ts';

export interface Execution {
  readonly runId: string;
  readonly pipeline: string;
  readonly project: string;
  readonly service: string | undefined;
  readonly commit: string | undefined;
  readonly meta: Readonly<Record<string, unknown>> | undefined;
}

export interface Probe {
  readonly executions: Execution[];
  running: number;
  maxRunning: number;
  /** Projects with a job in `work` right now. */
  readonly busy: Set<string>;
  /** Set when two jobs of one project ran at once. */
  overlapped: boolean;
  /** While set, `work` waits for it before finishing. */
  hold: Promise<void> | undefined;
}

export function probe(): Probe {
  return { executions: [], running: 0, maxRunning: 0, busy: new Set(), overlapped: false, hold: undefined };
}

/** Records each execution in `p`, and waits for `p.hold` while it is set. */
export function workStep(p: Probe): Step<'work', string> {
  return {
    name: 'work',
    async run(ctx: StepContext) {
      p.executions.push({
        runId: ctx.runId, pipeline: ctx.pipeline, project: ctx.project, service: ctx.service,
        commit: ctx.trigger.commit, meta: ctx.trigger.meta,
      });
      p.running += 1;
      p.maxRunning = Math.max(p.maxRunning, p.running);
      if (p.busy.has(ctx.project)) p.overlapped = true;
      p.busy.add(ctx.project);
      try {
        ctx.log.info({ commit: ctx.trigger.commit }, 'working');
        if (p.hold) await Promise.race([p.hold, aborted(ctx.signal)]);
        if (ctx.trigger.commit !== undefined) ctx.recordCommit(ctx.trigger.commit);
        return 'done';
      } finally {
        p.running -= 1;
        p.busy.delete(ctx.project);
      }
    },
  };
}

export function testPipelines(p: Probe, options: { followUps?: (runId: string) => TriggerRequest[] } = {}): PipelineRegistry {
  const work = workStep(p);
  const after: Step<'after', string> = {
    name: 'after',
    needs: [work],
    run: async (ctx) => `${ctx.resultOf(work)} twice`,
  };
  const boom: Step<'boom', never> = {
    name: 'boom',
    run: async (ctx) => {
      throw ctx.fail('COMPOSE_FAILED', 'compose refused the file', new Error('exit 1'));
    },
  };
  return createRegistry(
    [
      createPipeline('work', [work, after]),
      createPipeline('other', [work]),
      createPipeline('fails', [work, boom, after]),
      createPipeline('report', [work], { scope: 'stack' }),
      createPipeline('fan', [work], {
        scope: 'stack',
        ...(options.followUps && { followUps: (run) => options.followUps!(run.runId) }),
      }),
    ],
    { 'work|other': 'work', 'work|fails': 'fails', 'other|fails': 'fails' },
  );
}

/** Test pipelines under the names the scheduler triggers: `backup`, `threat-report` and `sync` (reconcile). */
export function scheduledPipelines(p: Probe): PipelineRegistry {
  const work = workStep(p);
  return createRegistry(['backup', 'threat-report', 'sync'].map((name) => createPipeline(name, [work], { scope: 'stack' })));
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}
