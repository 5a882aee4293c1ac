import { posix } from 'node:path';
import type { Service } from '../../config/db-types.ts';
import { RailyardError } from '../../core/errors.ts';

/** A `volumes` entry as written to compose, and the data folder it needs. */
export interface ComposeVolume {
  readonly entry: string;
  /** Folder under `upstream/<project>/` to create, for a bare `/path` volume. */
  readonly dataDir?: string;
}

/** A bind mount from inside `upstream/<project>/` whose contents go into the config hash. */
export interface ConfigMount {
  /** Path relative to the project folder, posix, normalised (`init`, `conf/nginx.conf`, `.env`). */
  readonly path: string;
  /** Folders are hashed only when mounted read-only: a writable folder is the container's data. */
  readonly readOnly: boolean;
}

/**
 * itsUP's volume rule: a bare `/data` is the project's own `./data:/data`;
 * `src:dst[:mode]` is kept as given. A bare path may not climb out of the
 * project folder, since its data folder is created there.
 */
export function composeVolume(volume: string, project: string): ComposeVolume {
  if (volume.includes(':')) return { entry: volume };
  const target = posix.normalize(volume.startsWith('/') ? volume : `/${volume}`);
  const dataDir = target.replace(/^\/+/, '').replace(/\/+$/, '');
  if (dataDir === '' || dataDir.split('/').includes('..')) {
    throw new RailyardError('RENDER_UNSAFE_PATH', `volume "${volume}" of project "${project}" must name a folder inside upstream/${project}/`, {
      project,
      data: { volume },
    });
  }
  return { entry: `./${dataDir}:${target}`, dataDir };
}

/**
 * The bind mounts of a service that come from inside its project folder, plus
 * its `env_file`s, which feed the container just as mounted files do.
 * Bare volumes are data folders, never config, so they are left out.
 */
export function configMounts(service: Service): ConfigMount[] {
  const mounts: ConfigMount[] = [];
  for (const volume of service.volumes) {
    const parts = volume.split(':');
    if (parts.length < 2) continue;
    const path = insideProject(parts[0] ?? '');
    if (path !== undefined) mounts.push({ path, readOnly: (parts[2] ?? '').split(',').includes('ro') });
  }
  for (const file of envFiles(service.additional_properties['env_file'])) {
    const path = insideProject(file);
    if (path !== undefined) mounts.push({ path, readOnly: true });
  }
  return mounts;
}

/** A relative bind source (`./x`, `../x`, `.`) normalised, or undefined when it is not inside the project. */
function insideProject(source: string): string | undefined {
  if (!source.startsWith('.')) return undefined; // absolute, `~` or a named volume
  const path = posix.normalize(source);
  if (path === '..' || path.startsWith('../')) return undefined;
  return path === '.' || path === './' ? '.' : path.replace(/\/+$/, '');
}

function envFiles(value: unknown): string[] {
  const list = Array.isArray(value) ? value : value === undefined ? [] : [value];
  const relative = (path: string): string[] => (/^[/~]/.test(path) ? [] : [path.startsWith('.') ? path : `./${path}`]);
  return list.flatMap((item: unknown) => {
    if (typeof item === 'string') return relative(item);
    const path = (item as { path?: unknown } | null)?.path;
    return typeof path === 'string' ? relative(path) : [];
  });
}
