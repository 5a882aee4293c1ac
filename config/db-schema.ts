/**
 * JSON Schema (draft-07) of db.yml: itsUP v1 accepted unchanged, plus
 * railyard's optional `runtime`, `schedules`, `notifications` and per-service
 * `replicas`, `healthcheck`, `rollout`. Defaults here are filled in by Ajv.
 * Name patterns are semantic checks (their own error code), not schema rules.
 */

/** Human words for the patterns below, used in error messages. */
export const PATTERN_HINTS: Readonly<Record<string, string>> = {};
const pattern = (source: string, hint: string): { type: 'string'; pattern: string } => {
  (PATTERN_HINTS as Record<string, string>)[source] = hint;
  return { type: 'string', pattern: source };
};

const duration = pattern('^([0-9]+(\\.[0-9]+)?(ns|us|ms|s|m|h))+$', 'a duration such as 10s, 1m30s or 500ms');
// `_` is accepted as itsUP accepted it; config/warnings.ts says no certificate can be had for it.
const hostname = '(\\*\\.)?[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?(\\.[a-zA-Z0-9_]([a-zA-Z0-9_-]*[a-zA-Z0-9_])?)*';
const domain = pattern(`^${hostname}(\\s*,\\s*${hostname})*$`, 'a domain name, or several separated by commas');
const singleDomain = pattern(`^${hostname}$`, 'a domain name');
const cron = pattern(
  '^(@(yearly|annually|monthly|weekly|daily|hourly)|(\\S+\\s+){4,5}\\S+)$',
  'a cron expression with 5 or 6 fields, e.g. "0 5 * * *", or @daily',
);
const port = { type: 'integer', minimum: 1, maximum: 65535 } as const;
const stringList = { type: 'array', items: { type: 'string' }, default: [] } as const;
const envMap = {
  type: 'object',
  additionalProperties: { type: ['string', 'number', 'boolean', 'null'] },
  default: {},
} as const;

const tls = {
  type: 'object',
  additionalProperties: false,
  properties: {
    main: singleDomain,
    sans: { type: 'array', items: singleDomain, default: [] },
  },
} as const;

const ingress = {
  type: 'object',
  additionalProperties: false,
  properties: {
    domain,
    hostport: port,
    passthrough: { type: 'boolean', default: false },
    path_prefix: pattern('^/[^\\s`\'"]*$', 'a path starting with /, without spaces or quotes'),
    path_remove: { type: 'boolean', default: false },
    port: { ...port, default: 8080 },
    protocol: { enum: ['tcp', 'udp'], default: 'tcp' },
    proxyprotocol: { enum: [1, 2, '1', '2', null] },
    router: { enum: ['http', 'tcp', 'udp'], default: 'http' },
    tls,
    expose: { type: 'boolean', default: false },
    middlewares: { type: 'array', items: pattern('^[a-zA-Z0-9@._-]+$', 'a middleware name'), default: [] },
  },
} as const;

const healthcheck = {
  type: 'object',
  additionalProperties: false,
  properties: {
    test: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' }, minItems: 1 }] },
    interval: duration,
    timeout: duration,
    retries: { type: 'integer', minimum: 0 },
    start_period: duration,
    start_interval: duration,
    disable: { type: 'boolean' },
  },
} as const;

const rollout = {
  type: 'object',
  additionalProperties: false,
  properties: {
    timeout: duration,
    drain: duration,
    settle: duration,
    strategy: { enum: ['zero-downtime', 'recreate'] },
  },
} as const;

const dependsOn = {
  anyOf: [
    { type: 'array', items: { type: 'string' } },
    {
      type: 'object',
      additionalProperties: {
        type: 'object',
        additionalProperties: false,
        properties: {
          condition: { enum: ['service_started', 'service_healthy', 'service_completed_successfully'] },
          restart: { type: 'boolean' },
          required: { type: 'boolean' },
        },
      },
    },
  ],
  default: [],
} as const;

const service = {
  type: 'object',
  additionalProperties: false,
  required: ['host'],
  properties: {
    host: { type: 'string', minLength: 1 },
    image: { type: 'string', minLength: 1 },
    command: { anyOf: [{ type: 'string' }, { type: 'array', items: { type: 'string' } }] },
    depends_on: dependsOn,
    env: envMap,
    ingress: { type: 'array', items: ingress, default: [] },
    labels: stringList,
    restart: {
      ...pattern('^(no|always|unless-stopped|on-failure(:[0-9]+)?)$', 'one of no, always, unless-stopped, on-failure[:N]'),
      default: 'unless-stopped',
    },
    stateless: { type: 'boolean', default: false },
    volumes: stringList,
    additional_properties: { type: 'object', default: {} },
    replicas: { type: 'integer', minimum: 1, maximum: 100, default: 1 },
    healthcheck,
    rollout,
    // runtime: swarm only: the node a stateful service with bind mounts is pinned to.
    placement: pattern('^(manager|node\\.[a-z.]+ *[!=]= *\\S+)$', 'manager or a swarm constraint such as node.hostname == web-1'),
  },
} as const;

const project = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1 },
    description: { type: ['string', 'null'] },
    enabled: { type: 'boolean', default: true },
    env: envMap,
    services: { type: 'array', items: service, default: [] },
    // Overrides the top-level runtime for this project.
    runtime: { enum: ['compose', 'swarm'] },
  },
} as const;

const crowdsec = {
  type: 'object',
  additionalProperties: false,
  required: ['version'],
  properties: {
    enabled: { type: 'boolean', default: false },
    version: { type: 'string', minLength: 1 },
    apikey: { type: 'string' },
    name: { type: 'string' },
    description: { type: 'string' },
    options: { type: 'object', default: {} },
    collections: stringList,
  },
} as const;

export const dbSchema = {
  $id: 'https://railyard.dev/schemas/db.json',
  type: 'object',
  additionalProperties: false,
  required: ['projects'],
  properties: {
    versions: {
      type: 'object',
      additionalProperties: { type: 'string' },
      properties: { traefik: { type: 'string', minLength: 1, default: 'v3' } },
      default: {},
    },
    plugins: {
      type: 'object',
      additionalProperties: false,
      properties: { crowdsec },
      default: {},
    },
    projects: { type: 'array', items: project },
    runtime: { enum: ['compose', 'swarm'], default: 'compose' },
    schedules: {
      type: 'object',
      additionalProperties: false,
      properties: {
        backup: cron,
        'threat-report': cron,
        reconcile: { anyOf: [cron, { const: false }] },
      },
      default: {},
    },
    notifications: {
      type: 'array',
      default: [],
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['url'],
        properties: {
          url: pattern('^https?://\\S+$', 'an http(s) URL'),
          type: { enum: ['json', 'slack', 'ntfy'], default: 'json' },
          events: {
            type: 'array',
            items: { enum: ['failed', 'succeeded', 'recovered', 'rolled-back', 'backup-failed', 'drift', 'schedule-missed'] },
            default: ['failed', 'recovered', 'schedule-missed'],
          },
          repeat_interval: { ...duration, default: '1h' },
          priority: { type: 'integer', minimum: 1, maximum: 5 },
          tags: { type: 'array', items: { type: 'string', minLength: 1 } },
        },
      },
    },
  },
} as const;
