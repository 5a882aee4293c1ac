import type { Route } from './routes.ts';

/** What a rendered file is, which decides how unresolved `${…}` are looked for. */
export type RenderedFileKind = 'compose' | 'dotenv' | 'traefik' | 'crowdsec';

export interface RenderedFile {
  /** Relative to the stack root, `/`-separated: `upstream/shop/docker-compose.yml`. */
  readonly path: string;
  readonly content: string;
  readonly kind: RenderedFileKind;
}

/** One compose service the host should run, as the diff step compares it to running containers. */
export interface RenderedService {
  /** db.yml project name, or `proxy` for the Traefik stack. */
  readonly project: string;
  /** db.yml service `host` (for the proxy: `traefik`, `dockerproxy`, `crowdsec`). */
  readonly service: string;
  /** Compose service name: `<project>-<host>` (the proxy's names are its own). */
  readonly name: string;
  /** The `railyard.config-hash` label value. */
  readonly configHash: string;
  readonly image: string;
  /** Safe to run twice at once: gets a zero-downtime rollout. */
  readonly stateless: boolean;
  readonly replicas: number;
  /** The compose service as rendered, hash label included (literal values, `$` not doubled). */
  readonly definition: Readonly<Record<string, unknown>>;
}

export interface RenderedProject {
  /** db.yml project name, or `proxy`. */
  readonly name: string;
  readonly kind: 'upstream' | 'proxy';
  /** How it is deployed: a compose project or a swarm stack. @default 'compose' */
  readonly runtime?: 'compose' | 'swarm';
  /** Compose project folder relative to the stack root: `upstream/<name>` or `proxy`. */
  readonly dir: string;
  readonly composeFile: string;
  readonly services: readonly RenderedService[];
}

/** The pure render: every file, without touching the disk. */
export interface RenderedStack {
  readonly files: readonly RenderedFile[];
  /** Data folders for bare volumes, relative to the stack root. */
  readonly dirs: readonly string[];
  /** Upstream projects in db.yml order, then `proxy`. */
  readonly projects: readonly RenderedProject[];
  /** Ingresses that could not be routed, one line each. */
  readonly warnings: readonly string[];
  /** Every router Traefik is given, in db.yml order (what `railyard routes` dials). */
  readonly routes: readonly Route[];
}

/** The render step's result, read by the diff step. */
export interface RenderResult extends RenderedStack {
  /** Absolute folder the files were written under. */
  readonly root: string;
  /** Paths (relative to root) whose content changed and were written, in render order. */
  readonly changed: readonly string[];
  /** Every rendered service, flat, in render order. */
  readonly services: readonly RenderedService[];
}
