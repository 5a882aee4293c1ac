import { posix } from 'node:path';
import type { DbConfig, Project } from './db-types.ts';
import type { SourceMap } from './parse-yaml.ts';
import { pointerOf, pointerToPath, type ConfigProblem } from './problem.ts';

/**
 * Settings of a service that hand it the host: whoever can push to the config
 * repo could otherwise take over the Docker host through them (issue 12).
 * Each finding says what the setting grants; `plan` and `validate` print them
 * as warnings, and HOST_ACCESS=refuse turns them into problems unless the
 * project is in HOST_ACCESS_ALLOW. NET_ADMIN (itsUP's VPN) is not among them:
 * it reconfigures the container's own network namespace only.
 */
export interface HostAccessFinding {
  readonly project: string;
  readonly service: string;
  /** JSON path segments of the setting in db.yml. */
  readonly segments: readonly (string | number)[];
  /** `privileged: true`, `cap_add: SYS_ADMIN`, `volume /var/run/docker.sock`... */
  readonly setting: string;
  readonly grants: string;
}

/** What the environment (which a push cannot change) says about such settings. */
export interface HostAccessPolicy {
  /** `warn`: deploy and warn; `refuse`: refuse the file unless the project is allowed. */
  readonly mode: 'warn' | 'refuse';
  /** Projects allowed such settings under `refuse`. */
  readonly allow: readonly string[];
}

const NAMESPACES: Readonly<Record<string, string>> = {
  network_mode: 'the host\'s network stack: every port and interface of the host, and its localhost services',
  pid: 'every process of the host: it can signal them and read their memory and environment',
  ipc: 'the host\'s shared memory and IPC objects',
  userns_mode: 'no user namespace remapping: root in the container is root on the host',
  uts: 'the host\'s hostname',
  cgroup: 'the host\'s cgroup namespace',
};

const CAPABILITIES: Readonly<Record<string, string>> = {
  ALL: 'every Linux capability: as good as privileged',
  SYS_ADMIN: 'mount, namespaces and most of root\'s powers on the host kernel',
  SYS_MODULE: 'loading kernel modules into the host kernel',
  SYS_RAWIO: 'raw access to the host\'s devices and I/O ports',
  SYS_PTRACE: 'tracing (and injecting into) processes it can see',
  DAC_READ_SEARCH: 'reading any file of a mounted filesystem by handle, past permissions',
};

/** Host paths whose bind mount gives the host away. */
const HOST_PATHS: Readonly<Record<string, string>> = {
  '/': 'the host\'s whole filesystem',
  '/etc': 'the host\'s configuration, users and passwords',
  '/root': 'root\'s home: SSH keys and credentials',
  '/boot': 'the host\'s kernel and boot loader',
  '/proc': 'the host\'s process and kernel settings',
  '/sys': 'the host\'s kernel and device settings',
  '/dev': 'every device of the host',
  '/run': 'the host\'s runtime sockets, the Docker socket among them',
  '/var/run': 'the host\'s runtime sockets, the Docker socket among them',
  '/var/lib/docker': 'every container\'s files and the engine\'s state',
};

const SOCKET = 'the Docker engine: it can start a privileged container, so root on the host';

export function hostAccessFindings(config: DbConfig): HostAccessFinding[] {
  const findings: HostAccessFinding[] = [];
  config.projects.forEach((project, p) => {
    for (const f of projectFindings(project)) findings.push({ ...f, segments: ['projects', p, ...f.segments] });
  });
  return findings;
}

/**
 * A frozen project (as a check returns it) cannot change, so its findings are
 * found once per object (issue 17 item 4: a one-project change looked at every
 * service of the 1,000 projects, twice), and once per text across processes:
 * the validate cache keeps them (`knownFindings`) and hands them back with the
 * project (`rememberFindings`). Segments are relative to the project.
 */
const findingsOf = new WeakMap<Project, readonly HostAccessFinding[]>();

/** A frozen project's findings, once they were looked for. */
export function knownFindings(project: Project): readonly HostAccessFinding[] | undefined {
  return findingsOf.get(project);
}

/** Takes `findings` as the project's, as found for the same project text before (config/db-cache.ts, which freezes it before use). */
export function rememberFindings(project: Project, findings: readonly HostAccessFinding[]): void {
  findingsOf.set(project, findings);
}

function projectFindings(project: Project): readonly HostAccessFinding[] {
  const known = findingsOf.get(project);
  if (known !== undefined) return known;
  const findings: HostAccessFinding[] = [];
  project.services.forEach((service, s) => {
    const at = (...rest: (string | number)[]): (string | number)[] => ['services', s, ...rest];
    const found = (segments: (string | number)[], setting: string, grants: string): void => {
      findings.push({ project: project.name, service: service.host, segments, setting, grants });
    };
    service.volumes.forEach((volume, v) => checkMount(volume, at('volumes', v), found));
    serviceProperties(service.additional_properties, at('additional_properties'), found);
  });
  if (Object.isFrozen(project)) findingsOf.set(project, findings);
  return findings;
}

type Found = (segments: (string | number)[], setting: string, grants: string) => void;

function serviceProperties(props: Readonly<Record<string, unknown>>, at: (string | number)[], found: Found): void {
  if (props['privileged'] === true || props['privileged'] === 'true') {
    found([...at, 'privileged'], 'privileged: true', 'every device and capability of the host, and no confinement: root on the host');
  }
  for (const [key, grants] of Object.entries(NAMESPACES)) {
    if (props[key] === 'host') found([...at, key], `${key}: host`, grants);
  }
  const caps = props['cap_add'];
  if (Array.isArray(caps)) {
    caps.forEach((cap, i) => {
      const name = String(cap).toUpperCase().replace(/^CAP_/, '');
      const grants = CAPABILITIES[name];
      if (grants !== undefined) found([...at, 'cap_add', i], `cap_add: ${name}`, grants);
    });
  }
  const devices = props['devices'];
  if (Array.isArray(devices) && devices.length > 0) {
    found([...at, 'devices'], `devices: ${devices.map((d) => (typeof d === 'string' ? d : JSON.stringify(d))).join(', ')}`, 'direct access to host devices');
  }
  const security = props['security_opt'];
  if (Array.isArray(security)) {
    security.forEach((opt, i) => {
      if (/unconfined/.test(String(opt))) found([...at, 'security_opt', i], `security_opt: ${String(opt)}`, 'no seccomp/AppArmor confinement of the container');
    });
  }
  const volumes = props['volumes'];
  if (Array.isArray(volumes)) volumes.forEach((volume, i) => checkMount(volume, [...at, 'volumes', i], found));
}

/** Short (`src:dst[:mode]`) and long (`{ type: bind, source }`) volume syntax. */
function checkMount(volume: unknown, segments: (string | number)[], found: Found): void {
  const source = typeof volume === 'string'
    ? (volume.includes(':') ? volume.split(':')[0] : undefined)
    : volume !== null && typeof volume === 'object' ? (volume as { source?: unknown }).source : undefined;
  if (typeof source !== 'string' || !source.startsWith('/')) return;
  const path = posix.normalize(source).replace(/(.)\/+$/, '$1');
  if (/\/(docker|podman|containerd)\.sock$/.test(path)) found(segments, `volume ${path}`, SOCKET);
  else if (HOST_PATHS[path] !== undefined) found(segments, `volume ${path}`, HOST_PATHS[path]);
}

/** Reads HOST_ACCESS (`warn` | `refuse`) and HOST_ACCESS_ALLOW (project names). */
export function hostAccessPolicy(raw: string | undefined, allow: readonly string[], problems: string[]): HostAccessPolicy {
  const mode = (raw ?? 'warn').toLowerCase();
  if (mode !== 'warn' && mode !== 'refuse') {
    problems.push(`HOST_ACCESS=${JSON.stringify(raw)} must be warn or refuse`);
    return { mode: 'warn', allow };
  }
  return { mode, allow };
}

/** The findings HOST_ACCESS refuses: all of them under `refuse`, except those of allowed projects. */
export function refusedHostAccess(findings: readonly HostAccessFinding[], policy: HostAccessPolicy): HostAccessFinding[] {
  if (policy.mode !== 'refuse') return [];
  return findings.filter((f) => !policy.allow.includes(f.project));
}

/**
 * HOST_ACCESS=refuse as db.yml problems, placed on each setting. Read from
 * `vars` (environment over `.env`, which a push cannot change), so every
 * reader of db.yml (validate, plan, the pipeline, serve) refuses alike.
 */
export function hostAccessProblems(config: DbConfig, vars: Readonly<Record<string, string>>, source: SourceMap, file: string): ConfigProblem[] {
  const raw = vars['HOST_ACCESS'] === '' ? undefined : vars['HOST_ACCESS'];
  const policy = hostAccessPolicy(raw, (vars['HOST_ACCESS_ALLOW'] ?? '').split(/[\s,]+/).filter((s) => s !== ''), []);
  if (policy.mode !== 'refuse') return []; // nothing is refused: no need to look
  return refusedHostAccess(hostAccessFindings(config), policy).map((f) => {
    const pointer = pointerOf(f.segments);
    return {
      code: 'HOST_ACCESS_REFUSED',
      file,
      ...source.valueAt(pointer),
      path: pointerToPath(pointer),
      message: `${f.setting} gives the container ${f.grants}; HOST_ACCESS=refuse: remove it, or add ${f.project} to HOST_ACCESS_ALLOW in railyard's environment`,
    };
  });
}
