import { Cron, type CronOptions } from 'croner';
import type { DbConfig, Ingress, Project, Schedules, Service } from './db-types.ts';
import type { ConfigProblem, ConfigProblemCode } from './problem.ts';
import { pointerOf, pointerToPath } from './problem.ts';
import type { Position, SourceMap } from './parse-yaml.ts';

/** Project and service names, before they reach a path, a command or a label. */
export const NAME_PATTERN = /^[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}$/;

/** How railyard reads cron patterns: 5 fields, or 6 with seconds first (as the schema allows). */
export const CRON_OPTIONS = { mode: '5-or-6-parts' } as const satisfies CronOptions;

/** Keys of a compose service that railyard writes itself. */
export const RESERVED_PROPERTIES = ['command', 'depends_on', 'environment', 'env', 'image', 'name', 'restart', 'volumes', 'labels'];

/**
 * The reserved keys a service's own field renders, and whether the service
 * sets that field. Where it does not, itsUP's output had the key once and
 * worked, so railyard merges it with a warning (config/warnings.ts); where it
 * does, or for the others, itsUP wrote the key twice and compose refused it.
 */
export const OWN_FIELDS: Readonly<Record<string, { readonly field: string; readonly set: (service: Service) => boolean }>> = {
  command: { field: 'command', set: (s) => s.command !== undefined },
  depends_on: { field: 'depends_on', set: (s) => (Array.isArray(s.depends_on) ? s.depends_on.length : Object.keys(s.depends_on).length) > 0 },
  environment: { field: 'env', set: (s) => Object.keys(s.env).length > 0 },
  labels: { field: 'labels', set: (s) => s.labels.length > 0 },
  volumes: { field: 'volumes', set: (s) => s.volumes.length > 0 },
};

const ACME_PREFIX = '/.well-known/acme-challenge/';

/** Ports Traefik itself listens on (entrypoints `web` and `web-secure`). */
const TRAEFIK_PORTS = new Map([[80, 'web'], [443, 'web-secure']]);

type Segments = (string | number)[];

/** The checks a JSON Schema cannot express; run on a schema-valid config. */
export function semanticChecks(config: DbConfig, source: SourceMap, file: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const report = (code: ConfigProblemCode, segments: Segments, message: string, onKey = false): void => {
    const pointer = pointerOf(segments);
    const pos = onKey ? source.keyAt(pointer) : source.valueAt(pointer);
    problems.push({ code, file, ...pos, path: pointerToPath(pointer), message });
  };
  // Remembers where a key was first seen; a position is only looked up for a
  // duplicate, so a valid file never builds the position index.
  const firstSeen = <K>(seen: Map<K, Segments>, key: K, segments: Segments): Position | undefined => {
    const earlier = seen.get(key);
    if (!earlier) seen.set(key, segments);
    return earlier && source.valueAt(pointerOf(earlier));
  };

  const projectNames = new Map<string, Segments>();
  const routes = new Map<string, Segments>();
  const hostports = new Map<string, Segments>();
  const claim = (at: Segments, { kind, key, segments, message: [head, tail] }: Claim): void => {
    const earlier = firstSeen(kind === 'route' ? routes : hostports, key, [...at, ...segments]);
    if (earlier) report(kind === 'route' ? 'DUPLICATE_ROUTE' : 'DUPLICATE_HOSTPORT', [...at, ...segments], `${head}${earlier.line}${tail}`);
  };
  config.projects.forEach((project, p) => {
    const at: Segments = ['projects', p];
    const clean = cleanProjects.get(project);
    let own = 0; // problems of the project by itself
    const counted: Report = (...problem) => {
      own++;
      report(...problem);
    };
    if (clean === undefined) checkName(project.name, [...at, 'name'], 'project', counted);
    const earlier = firstSeen(projectNames, project.name.toLowerCase(), [...at, 'name']);
    if (earlier) {
      report('DUPLICATE_PROJECT', [...at, 'name'], `project "${project.name}" is already defined at line ${earlier.line}; project names must be unique (ignoring case)`);
    }
    if (clean !== undefined) {
      // Its own checks found nothing before: only what it claims can clash with the other projects.
      for (const c of clean) claim(at, c);
      return;
    }
    checkServices(project, at, counted, firstSeen);
    const claims: Claim[] = [];
    if (project.enabled) {
      project.services.forEach((service, s) => {
        service.ingress.forEach((ingress, i) => {
          checkIngress(project, service, ingress, ['services', s, 'ingress', i], at, counted, (c) => {
            claims.push(c);
            claim(at, c);
          });
        });
      });
    }
    if (own === 0 && Object.isFrozen(project)) cleanProjects.set(project, claims);
  });
  checkSchedules(config.schedules, report);
  return problems;
}

type Report = (code: ConfigProblemCode, segments: Segments, message: string, onKey?: boolean) => void;
type FirstSeen = <K>(seen: Map<K, Segments>, key: K, segments: Segments) => Position | undefined;

/** Compose project names railyard uses itself (the Traefik stack in proxy/). */
const RESERVED_PROJECTS = ['proxy'];

function checkName(name: string, segments: Segments, what: string, report: Report): void {
  if (what === 'project' && RESERVED_PROJECTS.includes(name.toLowerCase())) {
    report('INVALID_NAME', segments, `project name "${name}" is reserved for railyard's Traefik stack (proxy/); rename the project`);
  } else if (!NAME_PATTERN.test(name)) {
    report('INVALID_NAME', segments, `${what} name ${JSON.stringify(name)} must start with a letter or digit and contain only letters, digits, "_", "." and "-" (at most 63 characters)`);
  }
}

function checkServices(project: Project, at: Segments, report: Report, firstSeen: FirstSeen): void {
  const hosts = new Map<string, Segments>();
  const names = new Set(project.services.map((service) => service.host));
  project.services.forEach((service, s) => {
    const here: Segments = [...at, 'services', s];
    checkName(service.host, [...here, 'host'], 'service', report);
    const earlier = firstSeen(hosts, service.host, [...here, 'host']);
    if (earlier) {
      report('DUPLICATE_SERVICE', [...here, 'host'], `service "${service.host}" is already defined in project "${project.name}" at line ${earlier.line}; service hosts must be unique within a project`);
    }
    for (const [target, segments] of dependencies(service, [...here, 'depends_on'])) {
      if (!names.has(target)) {
        report('UNKNOWN_DEPENDENCY', segments, `depends on "${target}", which is not a service of project "${project.name}"; known services: ${[...names].join(', ')}`, true);
      }
    }
    for (const key of Object.keys(service.additional_properties)) {
      if (RESERVED_PROPERTIES.includes(key) && OWN_FIELDS[key]?.set(service) !== false) {
        const own = OWN_FIELDS[key];
        const message = own
          ? `"${key}" is also set by the service's own "${own.field}" field; move these entries into "${own.field}" and remove "${key}" from additional_properties`
          : `"${key}" is set by railyard; use the service's own "${key === 'environment' ? 'env' : key}" field instead of additional_properties`;
        report('RESERVED_PROPERTY', [...here, 'additional_properties', key], message, true);
      }
    }
  });
}

function dependencies(service: Service, at: Segments): [string, Segments][] {
  const deps = service.depends_on;
  return Array.isArray(deps)
    ? (deps as readonly string[]).map((target, index): [string, Segments] => [target, [...at, index]])
    : Object.keys(deps).map((target): [string, Segments] => [target, [...at, target]]);
}

/** A route or host port an ingress takes: a second project or service taking it is a problem. Plain data: the validate cache keeps it. */
export interface Claim {
  readonly kind: 'route' | 'hostport';
  readonly key: string;
  /** Below the project (`['services', 0, 'ingress', 1]`). */
  readonly segments: Segments;
  /** The problem's message around the line of the first claim: `${head}${line}${tail}`. */
  readonly message: readonly [head: string, tail: string];
}

/**
 * The projects whose own checks found nothing, with what they claim. A frozen
 * project (as a check returns it) cannot change, so its own checks run once
 * per object (issue 17 item 4: a one-project change checked all 1,000), and
 * once per text across processes: the validate cache keeps the claims
 * (`projectClaims`) and hands them back with the project (`rememberClaims`).
 */
const cleanProjects = new WeakMap<Project, readonly Claim[]>();

/** What a project claims, once its own checks found nothing (undefined before, or when they found something). */
export function projectClaims(project: Project): readonly Claim[] | undefined {
  return cleanProjects.get(project);
}

/** Takes `claims` as what `project` claims, as found for the same project text before (config/db-cache.ts, which freezes it before use). */
export function rememberClaims(project: Project, claims: readonly Claim[]): void {
  cleanProjects.set(project, claims);
}

/** Checks an ingress by itself (`at` is its project's), and hands what it claims to `claim`. */
function checkIngress(project: Project, service: Service, ingress: Ingress, rel: Segments, at: Segments, report: Report, claim: (c: Claim) => void): void {
  if (ingress.passthrough && ingress.port === 80 && ingress.path_prefix !== ACME_PREFIX) {
    report('PASSTHROUGH_PORT_80', [...at, ...rel, 'passthrough'], `passthrough on port 80 is only allowed for ACME challenges; add path_prefix: ${ACME_PREFIX} or use another port`);
  }
  const owner = `${project.name}/${service.host}`;
  for (const domain of domainsOf(ingress)) {
    if (ingress.router === 'udp') break; // udp routes have no rule: host ports tell them apart
    const prefix = ingress.router === 'tcp' ? '' : ingress.path_prefix ?? '';
    const head = `${ingress.router} route for ${domain}${prefix ? ` with path prefix ${prefix}` : ''} (${owner}) is already claimed at line `;
    claim({ kind: 'route', key: `${ingress.router} ${domain.toLowerCase()} ${prefix}`, segments: rel, message: [head, '; change the domain, router or path_prefix'] });
  }
  if (ingress.hostport !== undefined) {
    const traefik = TRAEFIK_PORTS.get(ingress.hostport);
    if (traefik && ingress.protocol === 'tcp') {
      report('DUPLICATE_HOSTPORT', [...at, ...rel, 'hostport'], `host port ${ingress.hostport}/tcp is Traefik's own "${traefik}" entrypoint; pick another hostport`);
      return;
    }
    const head = `host port ${ingress.hostport}/${ingress.protocol} (${owner}) is already claimed at line `;
    claim({ kind: 'hostport', key: `${ingress.hostport}/${ingress.protocol}`, segments: [...rel, 'hostport'], message: [head, '; each host port and protocol can be used once'] });
  }
}

/** Cron patterns of the right shape that croner still refuses (minute 75) or that never fire (February 30). */
function checkSchedules(schedules: Schedules, report: Report): void {
  for (const [name, pattern] of Object.entries(schedules)) {
    if (typeof pattern !== 'string') continue;
    const problem = cronProblem(pattern);
    if (problem !== undefined) report('INVALID_SCHEDULE', ['schedules', name], `${problem}; write 5 fields (or 6 with seconds first), e.g. "0 5 * * *" for 05:00 every day`);
  }
}

/** Why croner cannot schedule `pattern`, or undefined when it can. */
export function cronProblem(pattern: string): string | undefined {
  try {
    return new Cron(pattern, CRON_OPTIONS).nextRun() === null ? `cron pattern "${pattern}" never fires` : undefined;
  } catch (error) {
    const reason = error instanceof Error ? error.message.replace(/^CronPattern: /, '') : String(error);
    return `invalid cron pattern "${pattern}" (${reason})`;
  }
}

/** Every domain an ingress routes: its comma-separated `domain`, or `tls.main` and `tls.sans`. */
export function domainsOf(ingress: Ingress): string[] {
  const listed = (ingress.domain ?? '').split(',').map((d) => d.trim()).filter((d) => d !== '');
  if (listed.length > 0) return listed;
  return ingress.tls ? [ingress.tls.main, ...ingress.tls.sans].filter((d): d is string => Boolean(d)) : [];
}
