import { BLOCK_ROUTES } from './api-block-routes.ts';
import { getPlan } from './api-plan.ts';
import { deployProject, listProjects } from './api-projects.ts';
import { runLog } from './api-run-log.ts';
import { getRun, listRuns } from './api-runs.ts';
import { DASHBOARD_ROUTES } from './dashboard/routes.ts';
import { githubHook } from './github.ts';
import { health } from './health.ts';
import { serveMetrics } from './metrics.ts';
import type { Route } from './router.ts';
import { updateUpstream } from './update-upstream.ts';

/** Every endpoint, in one list (DESIGN.md §3 "HTTP"). */
export const ROUTES: readonly Route[] = [
  { method: 'POST', path: '/hook', auth: 'signature', handle: githubHook },
  { method: 'GET', path: '/update-upstream', auth: 'api-key', handle: updateUpstream },
  { method: 'GET', path: '/update-upstream/:project', auth: 'api-key', handle: updateUpstream },
  { method: 'GET', path: '/update-upstream/:project/:service', auth: 'api-key', handle: updateUpstream },
  { method: 'GET', path: '/api/runs', auth: 'api-key', handle: listRuns },
  { method: 'GET', path: '/api/runs/:id', auth: 'api-key', handle: getRun },
  { method: 'GET', path: '/api/runs/:id/log', auth: 'api-key', handle: runLog },
  { method: 'GET', path: '/api/projects', auth: 'api-key', handle: listProjects },
  { method: 'POST', path: '/api/projects/:name/deploy', auth: 'api-key', handle: deployProject },
  ...BLOCK_ROUTES,
  { method: 'GET', path: '/api/plan', auth: 'api-key', handle: getPlan },
  { method: 'GET', path: '/metrics', auth: 'api-key', quiet: true, handle: serveMetrics },
  { method: 'GET', path: '/healthz', auth: 'none', quiet: true, head: true, handle: health },
  ...DASHBOARD_ROUTES,
];
