// Docker engine detection for tests.
//
// Suites that need a real engine call `dockerSuiteOptions()` and pass the result
// to `describe(name, options, fn)`. Without an engine they skip with ONE loud
// line on stderr; with REQUIRE_DOCKER=1 (CI) a missing engine is an error.
// The engine and the test images come from `scripts/test-host.sh`.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import Docker from 'dockerode';

export interface DockerEngine {
  docker: Docker;
  /** Unix socket in use, or null for a tcp:// DOCKER_HOST. */
  socketPath: string | null;
  /** The endpoint as a URL, e.g. `unix:///var/run/docker.sock`. */
  endpoint: string;
}

/** Images built and pushed to the local registry by scripts/test-host.sh. */
export const TEST_IMAGES = {
  /** busybox httpd on :8080; page `railyard-test-web version=<VERSION> host=<HOSTNAME>`; healthy in ~2 s. */
  web: '127.0.0.1:5000/railyard-test/web:1',
  /** Same with VERSION=2 baked in (for update tests). */
  web2: '127.0.0.1:5000/railyard-test/web:2',
  /** Serves the page, but its healthcheck always fails (unhealthy after ~3 s). */
  unhealthy: '127.0.0.1:5000/railyard-test/web:unhealthy',
  /** A static C server on :8080 (plus busybox for sh/wget) that finishes in-flight requests on SIGTERM; each answer takes WORK_MS (50). */
  graceful: '127.0.0.1:5000/railyard-test/graceful:1',
  /** No healthcheck; `sleep 3600`, stops at once on SIGTERM. */
  sleeper: '127.0.0.1:5000/railyard-test/sleeper:1',
} as const;

export const TEST_REGISTRY = '127.0.0.1:5000';

const PING_TIMEOUT_MS = 3000;

export function dockerRequired(): boolean {
  const v = process.env['REQUIRE_DOCKER'];
  return v !== undefined && v !== '' && v !== '0' && v !== 'false';
}

/** Builds a dockerode client for DOCKER_HOST (unix:// or tcp://) or the default socket. */
export function dockerClient(dockerHost = process.env['DOCKER_HOST'] ?? ''): DockerEngine {
  if (dockerHost === '') {
    const socketPath = '/var/run/docker.sock';
    return { docker: new Docker({ socketPath }), socketPath, endpoint: `unix://${socketPath}` };
  }
  const url = new URL(dockerHost);
  if (url.protocol === 'unix:') {
    const socketPath = url.pathname;
    return { docker: new Docker({ socketPath }), socketPath, endpoint: `unix://${socketPath}` };
  }
  if (url.protocol === 'tcp:' || url.protocol === 'http:' || url.protocol === 'https:') {
    const tlsVerify = process.env['DOCKER_TLS_VERIFY'];
    const tls = url.protocol === 'https:' || (tlsVerify !== undefined && tlsVerify !== '' && tlsVerify !== '0');
    const port = url.port !== '' ? Number(url.port) : tls ? 2376 : 2375;
    const options: Docker.DockerOptions = { host: url.hostname, port, protocol: tls ? 'https' : 'http' };
    if (tls) {
      const certPath = process.env['DOCKER_CERT_PATH'] ?? join(process.env['HOME'] ?? '/root', '.docker');
      options.ca = readFileSync(join(certPath, 'ca.pem'));
      options.cert = readFileSync(join(certPath, 'cert.pem'));
      options.key = readFileSync(join(certPath, 'key.pem'));
    }
    return { docker: new Docker(options), socketPath: null, endpoint: `tcp://${url.hostname}:${port}` };
  }
  throw new Error(`DOCKER_HOST=${dockerHost}: only unix:// and tcp:// are supported`);
}

type Detection = { engine: DockerEngine; why?: never } | { engine: null; why: string };
let detection: Promise<Detection> | undefined;

async function detect(): Promise<Detection> {
  let client: DockerEngine;
  try {
    client = dockerClient();
  } catch (err) {
    return { engine: null, why: (err as Error).message };
  }
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      client.docker.ping(),
      new Promise((_, reject) => {
        timer = setTimeout(() => reject(new Error(`no answer within ${PING_TIMEOUT_MS} ms`)), PING_TIMEOUT_MS);
      }),
    ]);
    return { engine: client };
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    return { engine: null, why: `no Docker engine at ${client.endpoint} (${e.code ?? e.message})` };
  } finally {
    clearTimeout(timer);
  }
}

/** Resolves the engine or returns null; with REQUIRE_DOCKER=1 a missing engine throws. */
export async function detectDocker(): Promise<DockerEngine | null> {
  detection ??= detect();
  const d = await detection;
  if (d.engine !== null) return d.engine;
  if (dockerRequired()) {
    throw new Error(`REQUIRE_DOCKER=1 but ${d.why}; run \`sudo bash scripts/test-host.sh\` first`);
  }
  return null;
}

/** Like detectDocker, but throws when there is no engine (use inside suites that did not skip). */
export async function requireDocker(): Promise<DockerEngine> {
  const engine = await detectDocker();
  if (engine === null) throw new Error('no Docker engine (the suite should have been skipped)');
  return engine;
}

/** Makes sure `ref` is present locally, pulling it from the test registry when missing. */
export async function ensureImage(docker: Docker, ref: string): Promise<void> {
  try {
    await docker.getImage(ref).inspect();
    return;
  } catch {
    // not present: pull below
  }
  try {
    const stream = await docker.pull(ref);
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (err: Error | null) => (err ? reject(err) : resolve()));
    });
  } catch (err) {
    throw new Error(`test image ${ref} is missing and could not be pulled (${(err as Error).message}); run \`sudo bash scripts/test-host.sh\``);
  }
}

let announced = false;

/**
 * Options for `describe(name, options, fn)`: `{}` with an engine, `{ skip: why }`
 * without (and one loud `SKIP docker suites: <why>` line on stderr per process).
 * With REQUIRE_DOCKER=1 a missing engine rejects, which fails the test file.
 */
export async function dockerSuiteOptions(): Promise<{ skip?: string }> {
  const engine = await detectDocker();
  if (engine !== null) return {};
  const d = await detection;
  const why = d?.why ?? 'no Docker engine';
  if (!announced) {
    announced = true;
    process.stderr.write(
      `SKIP docker suites: ${why} (run \`sudo bash scripts/test-host.sh\`; REQUIRE_DOCKER=1 turns this into a failure)\n`,
    );
  }
  return { skip: why };
}
