/**
 * The shape of a loaded db.yml: itsUP v1's schema, unchanged, plus railyard's
 * optional additions. Defaults are filled in by the loader, so the fields
 * documented with `@default` are always present after `loadDb`.
 */

export type Router = 'http' | 'tcp' | 'udp';
export type Protocol = 'tcp' | 'udp';
/** A compose duration such as `10s`, `1m30s` or `500ms`. */
export type Duration = string;

export interface Tls {
  readonly main?: string;
  /** @default [] */
  readonly sans: readonly string[];
}

export interface Ingress {
  /** Domain(s) routed to the service; several may be given comma-separated. */
  readonly domain?: string;
  /** A port opened on the host (its own Traefik entrypoint). */
  readonly hostport?: number;
  /** Forward TLS as-is instead of terminating it. @default false */
  readonly passthrough: boolean;
  readonly path_prefix?: string;
  /** Strip `path_prefix` before forwarding. @default false */
  readonly path_remove: boolean;
  /** @default 8080 */
  readonly port: number;
  /** @default 'tcp' */
  readonly protocol: Protocol;
  /**
   * PROXY protocol version the upstream expects; null turns it off. Unset:
   * itsUP's v2 for passthrough, image-less and host-port tcp routes, none for
   * the other tcp routes (see steps/render/routes.ts).
   */
  readonly proxyprotocol?: 1 | 2 | null;
  /** @default 'http' */
  readonly router: Router;
  readonly tls?: Tls;
  /** Expose the port to the other services without routing it. @default false */
  readonly expose: boolean;
  /** Extra Traefik middlewares by name. @default [] */
  readonly middlewares: readonly string[];
}

export interface Healthcheck {
  readonly test?: string | readonly string[];
  readonly interval?: Duration;
  readonly timeout?: Duration;
  readonly retries?: number;
  readonly start_period?: Duration;
  readonly start_interval?: Duration;
  readonly disable?: boolean;
}

export interface Rollout {
  /** Longest wait for new containers to turn healthy; derived from the healthcheck when absent. */
  readonly timeout?: Duration;
  /** Wait between the new containers turning healthy and stopping the old ones. */
  readonly drain?: Duration;
  /** How long a service without healthcheck must run without restarts. @default '10s' */
  readonly settle?: Duration;
  /** `zero-downtime` for stateless services; `recreate` forces a stop-start. */
  readonly strategy?: 'zero-downtime' | 'recreate';
}

export type DependsOn =
  | readonly string[]
  | Readonly<Record<string, { readonly condition?: string; readonly restart?: boolean; readonly required?: boolean }>>;

export interface Service {
  /** The service name (or, without `image`, the host address it points at). */
  readonly host: string;
  readonly image?: string;
  readonly command?: string | readonly string[];
  /** @default [] */
  readonly depends_on: DependsOn;
  /** Environment of the container; values are strings after loading. @default {} */
  readonly env: Readonly<Record<string, string | null>>;
  /** @default [] */
  readonly ingress: readonly Ingress[];
  /** @default [] */
  readonly labels: readonly string[];
  /** @default 'unless-stopped' */
  readonly restart: string;
  /** Safe to run twice at once, so it gets a zero-downtime rollout. @default false */
  readonly stateless: boolean;
  /** @default [] */
  readonly volumes: readonly string[];
  /** Extra compose keys merged into the service. @default {} */
  readonly additional_properties: Readonly<Record<string, unknown>>;
  /** @default 1 */
  readonly replicas: number;
  readonly healthcheck?: Healthcheck;
  readonly rollout?: Rollout;
  /**
   * runtime: swarm only. Where a stateful service with bind mounts runs (its
   * data is on that node's disk): `manager` or a constraint such as
   * `node.hostname == web-1`. @default 'manager' (when it has bind mounts)
   */
  readonly placement?: string;
}

export interface Project {
  readonly name: string;
  readonly description?: string;
  /** @default true */
  readonly enabled: boolean;
  /** Variables for the project's compose file (`upstream/<project>/.env`). @default {} */
  readonly env: Readonly<Record<string, string | null>>;
  /** @default [] */
  readonly services: readonly Service[];
  /** Overrides the top-level `runtime` for this project. */
  readonly runtime?: 'compose' | 'swarm';
}

export interface CrowdsecPlugin {
  /** @default false */
  readonly enabled: boolean;
  readonly version: string;
  readonly apikey?: string;
  readonly name?: string;
  readonly description?: string;
  /** @default {} */
  readonly options: Readonly<Record<string, unknown>>;
  /** @default [] */
  readonly collections: readonly string[];
}

export interface Schedules {
  readonly backup?: string;
  readonly 'threat-report'?: string;
  /** Pull and apply on a clock. @default every 10 minutes when REPO_URL is set */
  readonly reconcile?: string | false;
}

/**
 * What a notification is about. `failed` is any failed run, and also matches
 * its two refinements: `rolled-back` (a rollout whose new containers never
 * turned healthy, the old ones kept) and `backup-failed`.
 */
export type NotificationEvent =
  | 'failed' | 'succeeded' | 'recovered' | 'rolled-back' | 'backup-failed' | 'drift' | 'schedule-missed';

/** How the body is shaped: a documented JSON object, a Slack incoming webhook, or an ntfy topic. */
export type NotificationType = 'json' | 'slack' | 'ntfy';

export interface Notification {
  readonly url: string;
  /** @default 'json' */
  readonly type: NotificationType;
  /** @default ['failed', 'recovered', 'schedule-missed'] */
  readonly events: readonly NotificationEvent[];
  /** The same failure of the same project is sent at most once per this duration (`30m`, `1h`); a recovery always goes. @default '1h' */
  readonly repeat_interval: string;
  /** ntfy only: the `Priority` header, 1 (min) to 5 (max). @default 3 for successes, 4 for failures */
  readonly priority?: number;
  /** ntfy only: the `Tags` header (emoji short codes or words). */
  readonly tags?: readonly string[];
}

export interface DbConfig {
  /** @default { traefik: 'v3' } */
  readonly versions: Readonly<Record<string, string>> & { readonly traefik: string };
  readonly plugins: { readonly crowdsec?: CrowdsecPlugin };
  readonly projects: readonly Project[];
  /** @default 'compose' */
  readonly runtime: 'compose' | 'swarm';
  /** @default {} */
  readonly schedules: Schedules;
  /** @default [] */
  readonly notifications: readonly Notification[];
}
