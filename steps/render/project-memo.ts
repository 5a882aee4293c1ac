import { hash } from 'node:crypto';
import { CacheFile } from '../../config/cache-file.ts';
import { validatedIdentity } from '../../config/db-cache.ts';
import type { Project } from '../../config/db-types.ts';
import { renderProject, type ProjectOutput, type SubnetOf } from './compose.ts';
import type { MountDigest } from './compose-service.ts';
import { ownRoutes, type Route } from './routes.ts';

export interface MemoEntry {
  /** A hash of db.yml's project, its routes and the stack label, as JSON: what the output was rendered from. */
  readonly input: string;
  /** Every mount digest the render looked up, and what it was. */
  readonly digests: readonly (readonly [string, string])[];
  /** Whether it was rendered with an allocator, and the subnet it was handed, if it asked for one. */
  readonly allocator: boolean;
  readonly subnet?: string | undefined;
  readonly output?: ProjectOutput | undefined;
}

/**
 * Remembers each project's rendered output (issue 17 item 4: a one-project
 * change cost a full render, 90% of it spent re-rendering the projects that
 * did not change). An output is reused only when the project's db.yml entry,
 * its routes, every mount digest it read and the subnet it was given are all
 * the same as when it was rendered; otherwise the project is rendered again.
 * The whole memo is keyed (`begin`) by what every project's render depends on
 * besides its own inputs: the code, the top-level settings, the environment;
 * a change there drops every entry. Entries of projects that left db.yml are
 * dropped at the next render.
 */
/** A frozen project (as checkDb returns it) cannot change: its hash is computed once. */
const frozenHashes = new WeakMap<Project, string>();

function projectHash(project: Project): string {
  const identity = validatedIdentity(project);
  if (identity !== undefined) return identity;
  let known = frozenHashes.get(project);
  if (known === undefined) {
    known = hash('sha1', JSON.stringify(project), 'base64');
    if (Object.isFrozen(project)) frozenHashes.set(project, known);
  }
  return known;
}

/**
 * The last input hash of a frozen project, with the routes and stack it was
 * made with: the same frozen routes (routes.ts makes them once per project)
 * and stack give the same hash, without serialising the routes again.
 */
const inputs = new WeakMap<Project, { readonly routes: readonly Route[]; readonly stack: string | undefined; readonly input: string }>();

function inputOf(project: Project, routes: readonly Route[], stack: string | undefined): string {
  const known = inputs.get(project);
  if (known !== undefined && known.stack === stack && sameRoutes(known.routes, routes)) return known.input;
  // A validated project's own routes follow from its identity (code and text): they need no serialising.
  const own = validatedIdentity(project) !== undefined && sameRoutes(routes, ownRoutes(project));
  const input = hash('sha1', `${projectHash(project)}\n${own ? 'own routes' : JSON.stringify(routes)}\n${JSON.stringify(stack ?? null)}`, 'base64');
  if (Object.isFrozen(project) && routes.every((route) => Object.isFrozen(route))) inputs.set(project, { routes: [...routes], stack, input });
  return input;
}

const sameRoutes = (a: readonly Route[], b: readonly Route[]): boolean => a.length === b.length && a.every((route, i) => route === b[i]);

export class ProjectMemo {
  readonly #store: CacheFile<MemoEntry>;
  /** Projects rendered (not reused) by the last render: what a test can see. */
  rendered: string[] = [];

  /** `store`: where the entries are kept between processes (steps/render/render-cache.ts); in memory only without it. */
  constructor(store: CacheFile<MemoEntry> = new CacheFile<MemoEntry>(undefined, 1)) {
    this.#store = store;
  }

  /** Starts a render under `key`: entries made under another key are dropped. */
  begin(key: string): void {
    this.#store.begin(key);
    this.rendered = [];
  }

  render(project: Project, routes: readonly Route[], digest: MountDigest, subnetOf: SubnetOf | undefined, stack?: string): ProjectOutput | undefined {
    const input = inputOf(project, routes, stack);
    const cached = this.#store.entries.get(project.name);
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
    this.#store.set(project.name, { input, digests, allocator: subnetOf !== undefined, ...(subnet !== undefined && { subnet }), ...(output !== undefined && { output }) });
    this.rendered.push(project.name);
    return output;
  }

  /** Forgets projects not in `names`. */
  keep(names: ReadonlySet<string>): void {
    for (const name of [...this.#store.entries.keys()]) if (!names.has(name)) this.#store.delete(name);
  }

  /** Writes the entries that changed to the store's file (if it has one). */
  async save(): Promise<void> {
    await this.#store.save();
  }
}
