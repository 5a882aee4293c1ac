import type { Project } from '../../config/db-types.ts';
import { renderProject, type ProjectOutput, type SubnetOf } from './compose.ts';
import type { MountDigest } from './compose-service.ts';
import type { Route } from './routes.ts';

interface Entry {
  /** db.yml's project, its routes and the stack label, as JSON: what the output was rendered from. */
  readonly input: string;
  /** Every mount digest the render looked up, and what it was. */
  readonly digests: readonly (readonly [string, string])[];
  /** Whether it was rendered with an allocator, and the subnet it was handed, if it asked for one. */
  readonly allocator: boolean;
  readonly subnet: string | undefined;
  readonly output: ProjectOutput | undefined;
}

/**
 * Remembers each project's rendered output (issue 17 item 4: a one-project
 * change cost a full render, 90% of it spent re-rendering the projects that
 * did not change). An output is reused only when the project's db.yml entry,
 * its routes, every mount digest it read and the subnet it was given are all
 * the same as when it was rendered; otherwise the project is rendered again.
 * One memo per long-lived process (`serve`, `worker`); entries of projects that
 * left db.yml are dropped at the next render.
 */
export class ProjectMemo {
  readonly #entries = new Map<string, Entry>();

  render(project: Project, routes: readonly Route[], digest: MountDigest, subnetOf: SubnetOf | undefined, stack?: string): ProjectOutput | undefined {
    const input = JSON.stringify([project, routes, stack ?? null]);
    const cached = this.#entries.get(project.name);
    if (cached !== undefined && cached.input === input && cached.digests.every(([path, value]) => digest(project.name, path) === value)) {
      // Asked at the same point as a render asks, so the allocator hands out subnets in the same order.
      const same = cached.allocator === (subnetOf !== undefined) && (cached.subnet === undefined || subnetOf?.(project.name) === cached.subnet);
      if (same) return cached.output;
    }
    const digests: [string, string][] = [];
    let subnet: string | undefined;
    const recording: MountDigest = (name, path) => {
      const value = digest(name, path);
      digests.push([path, value]);
      return value;
    };
    const asking: SubnetOf | undefined = subnetOf === undefined ? undefined : (name) => (subnet = subnetOf(name));
    const output = renderProject(project, routes, recording, asking, stack);
    this.#entries.set(project.name, { input, digests, allocator: subnetOf !== undefined, subnet, output });
    return output;
  }

  /** Forgets projects not in `names`. */
  keep(names: ReadonlySet<string>): void {
    for (const name of this.#entries.keys()) if (!names.has(name)) this.#entries.delete(name);
  }
}
