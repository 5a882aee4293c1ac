// A real `railyard serve` in this process (runner, SQLite store, node:http on
// a free port) over a temporary stack root, with test pipelines named like the
// real ones (deploy, update, sync) whose one step can be held open: "the deploy
// job is still blocked". Every log line lands in `lines` (and in ALL_LINES, for
// the secrets scan).
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import Docker from 'dockerode';
import { sign } from '@octokit/webhooks-methods';
import { loadEnv } from '../../config/env.ts';
import type { RateLimitOptions } from '../../hooks/rate-limit.ts';
import { serve, type Serving } from '../../hooks/serve.ts';
import type { ErrorCode } from '../../core/errors.ts';
import { createLogger } from '../../core/logger.ts';
import { createPipeline } from '../../pipeline/pipeline.ts';
import { createRegistry, type PipelineRegistry } from '../../pipeline/registry.ts';
import type { Step } from '../../pipeline/types.ts';
import { request, type HttpAnswer, type HttpRequest } from './http.ts';
import { lineSink, tempRoot, until } from './runner.ts';

export const API_KEY = 'ry-test-api-key-6f1d2c9b';
export const WEBHOOK_SECRET = 'ry-test-webhook-secret-a71e';

export const TEST_DB = `projects:
  - name: alpha
    services:
      - host: web
        image: nginx:1
      - host: worker
        image: busybox:1
  - name: beta
    services:
      - host: api
        image: busybox:1
`;

/** Every line logged by every test server of this process. */
export const ALL_LINES: string[] = [];

export interface Hold {
  /** Executions of the test step: pipeline, project, service. */
  readonly executions: { pipeline: string; project: string; service: string | undefined; runId: string }[];
  /** While set, the step waits for it. */
  blocker: Promise<void> | undefined;
  /** The step waits for `blocker` even when the run is aborted (a step that ignores ctx.signal). */
  ignoreAbort?: boolean;
  /** When set, the step fails with this code and message. */
  failure?: { readonly code: ErrorCode; readonly message: string } | undefined;
}

export interface TestServer {
  readonly url: string;
  readonly root: string;
  readonly serving: Serving;
  readonly hold: Hold;
  readonly lines: string[];
  request(path: string, options?: HttpRequest): Promise<HttpAnswer>;
  /** Resolves once nothing is queued or running (the runner adopts what the HTTP thread journaled within 50 ms). */
  idle(): Promise<void>;
  /** A signed GitHub delivery to /hook (path may add ?project=). */
  deliver(event: string, payload: unknown, options?: DeliveryOptions): Promise<HttpAnswer>;
  close(): Promise<void>;
}

export interface DeliveryOptions {
  readonly path?: string;
  readonly id?: string;
  readonly hook?: string;
  readonly secret?: string;
}

export interface TestServerOptions {
  /** Environment on top of API_KEY and GITHUB_WEBHOOK_SECRET (set a value to '' to unset it). */
  readonly environ?: Readonly<Record<string, string>>;
  readonly root?: string;
  /** db.yml content. @default TEST_DB */
  readonly db?: string | null;
  readonly rateLimit?: RateLimitOptions;
  readonly hold?: Hold;
}

let deliveries = 0;

export function testPipelines(hold: Hold): PipelineRegistry {
  const work: Step<'work', void> = {
    name: 'work',
    async run(ctx) {
      hold.executions.push({ pipeline: ctx.pipeline, project: ctx.project, service: ctx.service, runId: ctx.runId });
      ctx.log.info({ project: ctx.project }, 'working');
      if (hold.blocker !== undefined) await (hold.ignoreAbort ? hold.blocker : Promise.race([hold.blocker, aborted(ctx.signal)]));
      if (hold.failure !== undefined) throw ctx.fail(hold.failure.code, hold.failure.message);
    },
  };
  return createRegistry(
    [createPipeline('deploy', [work]), createPipeline('update', [work], { triggerMeta: { pull: true } }), createPipeline('sync', [work], { scope: 'stack' })],
    { 'deploy|update': 'deploy' },
  );
}

function aborted(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    if (signal.aborted) reject(signal.reason as Error);
    signal.addEventListener('abort', () => reject(signal.reason as Error), { once: true });
  });
}

export async function startTestServer(options: TestServerOptions = {}): Promise<TestServer> {
  const root = options.root ?? (await tempRoot('railyard-hooks-'));
  if (options.db !== null) await writeFile(join(root, 'db.yml'), options.db ?? TEST_DB);
  await mkdir(join(root, 'data'), { recursive: true });
  const environ = Object.fromEntries(
    Object.entries({
      API_KEY, GITHUB_WEBHOOK_SECRET: WEBHOOK_SECRET, LOG_LEVEL: 'debug',
      // Nothing answers there: /healthz and /api/projects say Docker is unreachable.
      DOCKER_HOST: `unix://${join(root, 'no-docker.sock')}`,
      ...options.environ,
    }).filter(([, v]) => v !== ''),
  );
  const env = loadEnv({ root, environ });
  const { stream, lines } = lineSink();
  const collect = new Writable({
    write(chunk: Buffer, encoding, done) {
      ALL_LINES.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
      stream.write(chunk, encoding, done);
    },
  });
  const hold = options.hold ?? { executions: [], blocker: undefined };
  const log = createLogger({ level: env.logLevel, secrets: env.secrets, destination: collect, pretty: false });
  const serving = await serve({
    env, log, schedule: false, pipelines: testPipelines(hold), logDestination: collect, pretty: false,
    logSink: (line) => collect.write(line),
    clients: { docker: new Docker({ socketPath: join(root, 'no-docker.sock') }) },
    listen: { host: '127.0.0.1', port: 0 },
    ...(options.rateLimit !== undefined && { rateLimit: options.rateLimit }),
  });
  const url = serving.url;
  return {
    url, root, serving, hold, lines,
    request: (path, requestOptions) => request(url, path, requestOptions),
    idle: () => until(() => serving.store.runsWithStatus('queued').length + serving.store.runsWithStatus('running').length === 0, 5000, 'the runner to be idle'),
    async deliver(event, payload, delivery = {}) {
      const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
      deliveries += 1;
      return request(url, delivery.path ?? '/hook', {
        method: 'POST',
        body,
        headers: {
          'content-type': 'application/json',
          'x-github-event': event,
          'x-github-delivery': delivery.id ?? `delivery-${process.pid}-${deliveries}`,
          'x-github-hook-id': delivery.hook ?? '4242',
          'x-hub-signature-256': await sign(delivery.secret ?? WEBHOOK_SECRET, body),
        },
      });
    },
    close: () => serving.shutdown(),
  };
}

/** A push payload of GitHub's shape (the fields railyard reads). */
export function pushPayload(fields: { ref?: string; after?: string; deleted?: boolean; repo?: string } = {}): Record<string, unknown> {
  const repo = fields.repo ?? 'acme/config';
  return {
    ref: fields.ref ?? 'refs/heads/main',
    before: '0'.repeat(40),
    after: fields.after ?? 'a'.repeat(40),
    deleted: fields.deleted ?? false,
    repository: { full_name: repo, html_url: `https://github.com/${repo}`, clone_url: `https://github.com/${repo}.git`, ssh_url: `git@github.com:${repo}.git` },
    sender: { login: 'octocat' },
  };
}

/** A workflow_job payload of GitHub's shape. */
export function workflowJobPayload(action: string, conclusion: string | null, name = 'build'): Record<string, unknown> {
  return {
    action,
    workflow_job: { name, conclusion, workflow_name: 'CI', run_id: 77, head_sha: 'b'.repeat(40) },
    repository: { full_name: 'acme/app' },
  };
}

/** Fails when a log line holds a secret, a wrong key that was sent, or an `apikey=` value. */
export function assertNoSecrets(lines: readonly string[], values: readonly string[]): void {
  for (const line of lines) {
    for (const value of values) if (line.includes(value)) throw new Error(`a log line holds a secret (${value.slice(0, 4)}…): ${line}`);
    if (/apikey=(?!\[redacted\])[^&\s"]/i.test(line)) throw new Error(`a log line holds an apikey= value: ${line}`);
  }
}
