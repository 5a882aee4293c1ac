import type { DbConfig, Project } from './db-types.ts';
import { hostAccessFindings } from './host-access.ts';
import type { SourceMap } from './parse-yaml.ts';
import { OWN_FIELDS } from './semantic-checks.ts';
import { pointerOf, pointerToPath, type ConfigProblem, type ConfigWarningCode } from './problem.ts';

/** Reports one warning at a place in db.yml: `segments` is the JSON path as keys and indexes. */
export type WarnAt = (code: ConfigWarningCode, segments: readonly (string | number)[], message: string, onKey?: boolean) => void;

/** One concern's warnings on a valid config; each message says what to change. */
export type WarningCheck = (config: DbConfig, warn: WarnAt) => void;

/** ntfy's headers have no meaning for the other targets: say so rather than ignore them. */
const ntfyOnly: WarningCheck = (config, warn) => {
  config.notifications.forEach((entry, index) => {
    if (entry.type === 'ntfy') return;
    for (const key of ['priority', 'tags'] as const) {
      if (entry[key] !== undefined) warn('NO_EFFECT', ['notifications', index, key], `${key} only applies to type: ntfy; remove it or set type: ntfy`, true);
    }
  });
};

/** A check of one project; its segments start below the project (`['services', 0, ...]`). */
type ProjectWarningCheck = (project: Project, runtime: DbConfig['runtime'], warn: WarnAt) => void;

/** A project check's warnings, as `WarnAt` arguments, under the top-level runtime they were found with. Plain data: the validate cache keeps it. */
export interface KnownWarnings {
  readonly runtime: DbConfig['runtime'];
  readonly calls: readonly Parameters<WarnAt>[];
}

/** Per frozen project, each project check's warnings by the check's name. */
const found = new WeakMap<Project, Record<string, KnownWarnings>>();
/** The project checks' names, as `perProject` registers them. */
const PROJECT_CHECKS: string[] = [];

/**
 * Runs a project check on every project. A frozen project (as a check returns
 * it) cannot change, so its warnings are found once per object and top-level
 * runtime (issue 17 item 4: a one-project change looked at all 1,000 projects),
 * and once per text across processes: the validate cache keeps them
 * (`projectWarnings`) and hands them back with the project (`rememberWarnings`).
 */
function perProject(name: string, check: ProjectWarningCheck): WarningCheck {
  PROJECT_CHECKS.push(name);
  return (config, warn) => {
    config.projects.forEach((project, p) => {
      let known = found.get(project)?.[name];
      if (known === undefined || known.runtime !== config.runtime) {
        const calls: Parameters<WarnAt>[] = [];
        check(project, config.runtime, (...call) => calls.push(call));
        known = { runtime: config.runtime, calls };
        if (Object.isFrozen(project)) {
          let record = found.get(project);
          if (record === undefined) found.set(project, (record = {}));
          record[name] = known;
        }
      }
      for (const [code, segments, message, onKey] of known.calls) warn(code, ['projects', p, ...segments], message, onKey);
    });
  };
}

/** A frozen project's warnings by check, once every project check has looked at it. */
export function projectWarnings(project: Project): Readonly<Record<string, KnownWarnings>> | undefined {
  const known = found.get(project);
  return known !== undefined && PROJECT_CHECKS.every((name) => known[name] !== undefined) ? known : undefined;
}

/** Takes `known` as a project's warnings, as found for the same project text before (config/db-cache.ts, which freezes it before use). */
export function rememberWarnings(project: Project, known: Readonly<Record<string, KnownWarnings>>): void {
  found.set(project, { ...known });
}

/** `placement` pins a swarm service to a node; compose has no nodes to choose from. */
const swarmOnly = perProject('swarmOnly', (project, runtime, warn) => {
  if ((project.runtime ?? runtime) === 'swarm') return;
  project.services.forEach((service, s) => {
    if (service.placement === undefined) return;
    warn('SWARM_ONLY', ['services', s, 'placement'], 'placement acts only under runtime: swarm (this project runs with compose on this host); remove it or set runtime: swarm', true);
  });
});

/**
 * additional_properties keys a service has its own field for, where it does
 * not set that field (itsUP rendered them once, and they worked): merged into
 * the service, with a warning to move them. Long-syntax volumes there get no
 * data folder and no change tracking.
 */
const ownFieldProperties = perProject('ownFieldProperties', (project, _runtime, warn) => {
  project.services.forEach((service, s) => {
    for (const [key, value] of Object.entries(service.additional_properties)) {
      const own = OWN_FIELDS[key];
      if (!own || own.set(service)) continue; // set twice: a semantic-check error
      const at = ['services', s, 'additional_properties', key];
      warn('ADDITIONAL_PROPERTY_OWN_FIELD', at, `"${key}" belongs in the service's own "${own.field}" field; railyard merges it as itsUP did, but move it to "${own.field}"`, true);
      if (key !== 'volumes' || !Array.isArray(value)) continue;
      value.forEach((volume: unknown, index) => {
        if (volume === null || typeof volume !== 'object') return;
        warn('ADDITIONAL_PROPERTY_VOLUME', [...at, index], 'a long-syntax volume is passed to compose as written: railyard creates no data folder for it and redeploys nothing when a mounted file changes; use a "source:target[:ro]" entry in the service\'s volumes where you can');
      });
    }
  });
});

/** Domains with `_`: Traefik routes them, but no CA issues a certificate for such a name. */
const underscoreDomains = perProject('underscoreDomains', (project, _runtime, warn) => {
  project.services.forEach((service, s) => {
    service.ingress.forEach((ingress, i) => {
      const at = ['services', s, 'ingress', i];
      const named: [string | undefined, (string | number)[]][] = [
        [ingress.domain, [...at, 'domain']],
        [ingress.tls?.main, [...at, 'tls', 'main']],
        ...(ingress.tls?.sans ?? []).map((san, n): [string, (string | number)[]] => [san, [...at, 'tls', 'sans', n]]),
      ];
      for (const [domain, segments] of named) {
        if (domain?.includes('_')) {
          warn('DOMAIN_UNDERSCORE', segments, `"${domain}" has a "_", which host names may not have: Let's Encrypt issues no certificate for it and some clients refuse it; use "-" instead`);
        }
      }
    });
  });
});

/**
 * Settings that hand a container the host (config/host-access.ts): deployed
 * under the default HOST_ACCESS=warn, but whoever can push can use them.
 */
const hostAccess: WarningCheck = (config, warn) => {
  for (const f of hostAccessFindings(config)) {
    warn('HOST_ACCESS', f.segments, `${f.setting} gives the container ${f.grants}; remove it unless ${f.project}/${f.service} needs it (HOST_ACCESS=refuse refuses it unless HOST_ACCESS_ALLOW names the project)`);
  }
};

/** Every warning check, in the order their lines are printed (register new ones here). */
const CHECKS: readonly WarningCheck[] = [ntfyOnly, swarmOnly, ownFieldProperties, underscoreDomains, hostAccess];

/** Warnings on a config that passed every check: it deploys, but something in it deserves a change. */
export function configWarnings(config: DbConfig, source: SourceMap, file: string): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const warn: WarnAt = (code, segments, message, onKey = false) => {
    const pointer = pointerOf(segments);
    const pos = onKey ? source.keyAt(pointer) : source.valueAt(pointer);
    warnings.push({ code, file, ...pos, path: pointerToPath(pointer), message, severity: 'warning' });
  };
  for (const check of CHECKS) check(config, warn);
  return warnings;
}
