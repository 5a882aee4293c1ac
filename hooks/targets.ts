import type { DbConfig, Project } from '../config/db-types.ts';
import { NAME_PATTERN } from '../config/semantic-checks.ts';
import { RailyardError } from '../core/errors.ts';

/** A project, or one service of it, that exists in db.yml. */
export interface Target {
  readonly project: string;
  readonly service: string | undefined;
}

/**
 * Checks a name against the name pattern before it goes anywhere (a path, a
 * command, a label): `../x`, `-rf`, a NUL byte or 300 characters are a 400.
 * The message quotes at most 64 characters of what was sent.
 */
export function checkName(what: 'project' | 'service', name: string): string {
  if (!NAME_PATTERN.test(name)) {
    const shown = JSON.stringify(name.length > 64 ? `${name.slice(0, 64)}…` : name);
    throw new RailyardError('NAME_INVALID', `Invalid ${what} name ${shown}: use letters, digits, "_", "." and "-", starting with a letter or digit (at most 63)`);
  }
  return name;
}

/** Checks both names (400), then that they exist in db.yml (404). An empty service means the whole project. */
export function findTarget(config: DbConfig, project: string, service: string | undefined): Target {
  const found = findProject(config, checkName('project', project));
  const wanted = service === undefined || service === '' ? undefined : checkName('service', service);
  if (wanted !== undefined && !found.services.some((s) => s.host === wanted)) {
    throw new RailyardError('SERVICE_NOT_FOUND', `Project "${project}" has no service "${wanted}" in db.yml`);
  }
  return { project: found.name, service: wanted };
}

function findProject(config: DbConfig, name: string): Project {
  const found = config.projects.find((p) => p.name === name);
  if (found === undefined) throw new RailyardError('PROJECT_NOT_FOUND', `There is no project "${name}" in db.yml`);
  return found;
}

/** Names first (400 even while db.yml is not loaded), then existence in the current db.yml (404). */
export async function resolveTarget(db: { current(): Promise<DbConfig> }, project: string | undefined, service: string | undefined): Promise<Target> {
  if (project === undefined || project === '') throw new RailyardError('NAME_INVALID', 'A project is required: ?project=NAME');
  checkName('project', project);
  if (service !== undefined && service !== '') checkName('service', service);
  return findTarget(await db.current(), project, service);
}
