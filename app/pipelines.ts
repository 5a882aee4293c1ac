import { backupPipeline } from '../steps/backup/index.ts';
import { PIPELINE_STEPS } from '../steps/index.ts';
import { threatReportPipeline } from '../steps/threat-report/index.ts';
import { fanOut } from './fan-out.ts';
import { createPipeline } from '../pipeline/pipeline.ts';
import { createRegistry } from '../pipeline/registry.ts';

/** Every pipeline railyard runs, built from the step lists in steps/index.ts. */
export const PIPELINES = createRegistry(
  [
    createPipeline('deploy', PIPELINE_STEPS.deploy),
    createPipeline('update', PIPELINE_STEPS.update, { triggerMeta: { pull: true } }),
    createPipeline('sync', PIPELINE_STEPS.sync, { scope: 'stack', followUps: fanOut }),
    threatReportPipeline,
    backupPipeline,
  ],
  // deploy runs every step update does (pull-images pulls because the merged meta keeps `pull`).
  { 'deploy|update': 'deploy' },
);
