// A hand-written desired state for rollout tests: compose services with a
// railyard.config-hash label, written to a temp compose file, turned into
// the DesiredProject the diff step compares (what render would produce).
import type Docker from 'dockerode';
import pino from 'pino';
import { testComposeProject, testService, type TestComposeProject } from '../../helpers/compose-project.ts';
import type { DesiredProject } from '../../../steps/diff/plan.ts';
import { computeDiff, type DiffResult } from '../../../steps/diff/index.ts';
import { applyPlan, type RolloutOptions, type RolloutResult } from '../../../steps/rollout/index.ts';

export interface TestSpec {
  readonly image: string;
  readonly hash: string;
  readonly stateless?: boolean;
  readonly replicas?: number;
  readonly extra?: Record<string, unknown>;
  readonly rollout?: { timeout?: string; drain?: string; settle?: string };
}

export interface TestStack {
  readonly project: TestComposeProject;
  set(specs: Record<string, TestSpec>): DesiredProject;
  plan(docker: Docker, specs?: Record<string, TestSpec>): Promise<DiffResult>;
  apply(docker: Docker, specs?: Record<string, TestSpec>, options?: Partial<RolloutOptions>): Promise<RolloutResult>;
}

export const silent = pino({ level: 'silent' });

export function testStack(prefix: string): TestStack {
  const project = testComposeProject(prefix);
  let current: DesiredProject | undefined;
  const stack: TestStack = {
    project,
    set(specs) {
      const definitions = Object.fromEntries(
        Object.entries(specs).map(([name, s]) => [name, testService(s.image, s.hash, { ...(s.replicas && s.replicas !== 1 ? { deploy: { replicas: s.replicas } } : {}), ...s.extra })]),
      );
      project.write(definitions);
      current = {
        name: project.name,
        composeFile: project.file,
        services: Object.entries(specs).map(([name, s]) => ({
          project: project.name,
          service: name,
          configHash: s.hash,
          image: s.image,
          stateless: s.stateless ?? false,
          replicas: s.replicas ?? 1,
          definition: definitions[name] as Record<string, unknown>,
          rollout: s.rollout,
        })),
      };
      return current;
    },
    async plan(docker, specs) {
      if (specs) stack.set(specs);
      return computeDiff(docker, [current!], { project: project.name }, project.dir);
    },
    async apply(docker, specs, options = {}) {
      return applyPlan(docker, await stack.plan(docker, specs), { root: project.dir, log: silent, ...options });
    },
  };
  return stack;
}
