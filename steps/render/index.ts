import type { Step } from '../../pipeline/types.ts';
import { readSourceOf } from '../../runtime/engine-read.ts';
import { validate } from '../validate.ts';
import { renderToDisk } from './render-to-disk.ts';
import type { RenderResult } from './types.ts';

export type { RenderedFile, RenderedProject, RenderedService, RenderedStack, RenderResult } from './types.ts';
export { renderStack } from './render-stack.ts';
export { CONFIG_HASH_LABEL } from './config-hash.ts';

/**
 * Renders the validated db.yml into `upstream/` and `proxy/` under the stack
 * root. Always the whole stack: the proxy's files depend on every project.
 */
export const render: Step<'render', RenderResult> = {
  name: 'render',
  needs: [validate],
  async run(ctx) {
    const { config } = ctx.resultOf(validate);
    const result = await renderToDisk(config, ctx.env, { root: ctx.env.root, networkPool: ctx.env.networkPool, docker: readSourceOf(ctx.clients) });
    for (const warning of result.warnings) ctx.log.warn({ warning }, 'ingress not routed');
    ctx.log.info({ changed: result.changed, files: result.files.length, services: result.services.length }, 'stack rendered');
    return result;
  },
};
