import type { DependsOn, Healthcheck, Project, Service } from '../../config/db-types.ts';
import { CONFIG_HASH_LABEL, configHash } from './config-hash.ts';
import { LABEL_STACK } from '../../runtime/containers.ts';
import { mergeProperties } from './merge-properties.ts';
import { withDrainMarker } from './drain-healthcheck.ts';
import { composeVolume, configMounts } from './mounts.ts';
import { composeServiceName, PROXY_NETWORK, type Route } from './routes.ts';
import { traefikLabels, type Label } from './traefik-labels.ts';

/** Looks up the digest of a path inside a project folder (see mount-digest.ts). */
export type MountDigest = (project: string, path: string) => string;

export interface ComposeServiceOutput {
  /** Compose service name: `<project>-<host>`. */
  readonly name: string;
  /** The service as written to docker-compose.yml (literal values; `$` is escaped on output). */
  readonly definition: Readonly<Record<string, unknown>>;
  readonly configHash: string;
  /** Data folders (relative to the project folder) of its bare volumes. */
  readonly dataDirs: readonly string[];
}

export interface ComposeServiceInput {
  readonly project: Project;
  readonly service: Service & { readonly image: string };
  /** Hosts of the project's services that have an image (and so a compose service). */
  readonly composeHosts: ReadonlySet<string>;
  readonly routes: readonly Route[];
  readonly digest: MountDigest;
  /** The stack root's id, labelled `railyard.stack` like the hash (outside it). */
  readonly stack?: string | undefined;
}

/** One db.yml service as a compose service, with itsUP's naming and defaults. */
export function composeService(input: ComposeServiceInput): ComposeServiceOutput {
  const { project, service } = input;
  const volumes = service.volumes.map((volume) => composeVolume(volume, project.name));
  const dependsOn = dependencies(service.depends_on, project.name, input.composeHosts);
  const networks = [
    ...(input.composeHosts.size > 1 ? ['default'] : []),
    ...(service.ingress.length > 0 ? [PROXY_NETWORK] : []),
  ];
  // Labels in additional_properties (list or mapping, as compose takes them) join the service's own.
  const { labels: extraLabels, ...extra } = service.additional_properties;
  const labels = labelList([...traefikLabels(input.routes), ...service.labels.map(parseLabel), ...labelEntries(extraLabels)]);
  const base: Record<string, unknown> = {
    image: service.image,
    ...(service.command !== undefined ? { command: service.command } : {}),
    ...(dependsOn !== undefined ? { depends_on: dependsOn } : {}),
    ...(Object.keys(service.env).length > 0 ? { environment: { ...service.env } } : {}),
    ...(service.ingress.length > 0 ? { expose: unique(service.ingress.map((i) => `${i.port}/${i.protocol}`)) } : {}),
    ...(service.healthcheck !== undefined ? { healthcheck: { ...service.healthcheck } } : {}),
    labels,
    ...(networks.length > 0 ? { networks } : {}),
    restart: service.restart,
    ...(volumes.length > 0 ? { volumes: volumes.map((volume) => volume.entry) } : {}),
    ...(service.replicas !== 1 ? { deploy: { replicas: service.replicas } } : {}),
  };
  const merged = mergeProperties(base, extra);
  const mounts = Object.fromEntries(configMounts(service).map((m) => [m.path, mountDigest(input.digest(project.name, m.path), m.readOnly)]));
  const hash = configHash({ service: merged, mounts });
  return {
    name: composeServiceName(project.name, service.host),
    definition: { ...drainGuarded(merged), labels: [...labels, `${CONFIG_HASH_LABEL}=${hash}`, ...(input.stack === undefined ? [] : [`${LABEL_STACK}=${input.stack}`])] },
    configHash: hash,
    dataDirs: volumes.flatMap((volume) => (volume.dataDir !== undefined ? [volume.dataDir] : [])),
  };
}

/** The healthcheck behind the drain marker (README "Rollouts"); hashed before, so the guard is never a change. */
function drainGuarded(service: Record<string, unknown>): Record<string, unknown> {
  const healthcheck = service['healthcheck'] as Healthcheck | undefined;
  return healthcheck === undefined ? service : { ...service, healthcheck: withDrainMarker(healthcheck) };
}

/** A writable folder is the container's own data: its contents would change the hash on every run. */
function mountDigest(digest: string, readOnly: boolean): string {
  return readOnly || !digest.startsWith('dir:') ? digest : 'dir:';
}

/** itsUP prefixes dependencies with the project; services without an image are not in compose. */
function dependencies(deps: DependsOn, project: string, hosts: ReadonlySet<string>): string[] | Record<string, unknown> | undefined {
  if (Array.isArray(deps)) {
    const list = (deps as readonly string[]).filter((host) => hosts.has(host)).map((host) => composeServiceName(project, host));
    return list.length > 0 ? list : undefined;
  }
  const entries = Object.entries(deps).filter(([host]) => hosts.has(host));
  return entries.length > 0 ? Object.fromEntries(entries.map(([host, spec]) => [composeServiceName(project, host), { ...spec }])) : undefined;
}

function labelEntries(labels: unknown): Label[] {
  if (Array.isArray(labels)) return labels.map((label: unknown) => parseLabel(String(label)));
  if (labels === null || typeof labels !== 'object') return [];
  return Object.entries(labels).map(([key, value]): Label => [key, value === null ? '' : String(value)]);
}

function parseLabel(label: string): Label {
  const at = label.indexOf('=');
  return at === -1 ? [label, ''] : [label.slice(0, at), label.slice(at + 1)];
}

/**
 * `key=value` lines; a later label with the same key (the user's) replaces the
 * earlier one in place. The hash and stack labels are railyard's alone: they are added last.
 */
function labelList(labels: readonly Label[]): string[] {
  const byKey = new Map<string, string>();
  for (const [key, value] of labels) if (key !== CONFIG_HASH_LABEL && key !== LABEL_STACK) byKey.set(key, value);
  return [...byKey].map(([key, value]) => `${key}=${value}`);
}

function unique(items: readonly string[]): string[] {
  return [...new Set(items)];
}
