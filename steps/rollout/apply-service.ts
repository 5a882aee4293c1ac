import { composeDown, composeUp, type ComposeTarget } from '../../runtime/compose.ts';
import type { PlannedService } from '../diff/plan.ts';
import { zeroDowntime, type RolloutEngine, type ZeroDowntimeOptions } from './zero-downtime.ts';

/** Carries out one planned action. `unchanged` does nothing. */
export async function applyService(engine: RolloutEngine, target: ComposeTarget, entry: PlannedService, options: ZeroDowntimeOptions): Promise<void> {
  const replicas = entry.desired?.replicas ?? 1;
  switch (entry.action) {
    case 'unchanged':
      return;
    case 'create':
      return composeUp(target, { services: [entry.service], noDeps: true, scale: { [entry.service]: replicas } });
    case 'recreate':
      return composeUp(target, { services: [entry.service], noDeps: true, forceRecreate: true, scale: { [entry.service]: replicas } });
    case 'rollout':
      await zeroDowntime(engine, target, entry, options);
      return;
    case 'remove':
      // By project label only: the service is no longer in the compose file. Never -v.
      return composeDown({ project: entry.project, ...(target.dockerHost ? { dockerHost: target.dockerHost } : {}) }, [entry.service]);
  }
}
