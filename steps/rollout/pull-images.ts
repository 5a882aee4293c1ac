import type { Step } from '../../pipeline/types.ts';
import { pullImage } from '../../runtime/images.ts';
import { render } from '../render/index.ts';

export interface PullImagesResult {
  /** Image reference → image ID after the pull; empty without `--pull`. */
  readonly images: Readonly<Record<string, string>>;
}

/**
 * `apply --pull`: pulls every image of the run's scope before the diff, so a
 * tag that moved in the registry shows up as a change. Runs only when the
 * trigger asks for it (`trigger.meta.pull === true`).
 */
export const pullImages: Step<'pull-images', PullImagesResult> = {
  name: 'pull-images',
  needs: [render],
  async run(ctx) {
    if (ctx.trigger.meta?.['pull'] !== true) return { images: {} };
    const services = ctx.resultOf(render).services.filter(
      (s) => (ctx.project === '*' || s.project.toLowerCase() === ctx.project.toLowerCase()) && (ctx.service === undefined || s.name === ctx.service),
    );
    const images: Record<string, string> = {};
    for (const image of new Set(services.map((s) => s.image))) {
      images[image] = await pullImage(ctx.clients.docker, image, ctx.env.dockerConfig);
      ctx.log.info({ image, id: images[image] }, 'image pulled');
    }
    return { images };
  },
};
