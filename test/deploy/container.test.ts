// railyard's container image (issue 16): built FROM scratch from
// scripts/container-context.sh on the real dockerd, run with the engine socket
// and a stack root mounted, then: /healthz answers, a deploy through
// /update-upstream succeeds, and `docker stop` exits cleanly within the grace.
import assert from 'node:assert/strict';
import { chown, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { dockerSuiteOptions, TEST_IMAGES } from '../helpers/docker.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { request } from '../helpers/http.ts';

const REPO = new URL('../..', import.meta.url).pathname;
const KEY = 'image-test-key-7f3a9c';
const IMAGE_UID = 10001;

describe('container image', await dockerSuiteOptions(), () => {
  const name = uniqueName('ry-image');
  const tag = `railyard-test/railyard:${name}`;
  let root = '';
  let url = '';

  before(async () => {
    const context = await mkdtemp(join(tmpdir(), 'railyard-image-'));
    const made = await execa('bash', [join(REPO, 'scripts/container-context.sh'), context, '24']);
    process.stderr.write(`${made.stdout}\n`);
    await execa('docker', ['build', '-q', '-f', join(REPO, 'deploy/container/Containerfile'), '-t', tag, context], { env: { DOCKER_BUILDKIT: '0' } });
    await rm(context, { recursive: true, force: true });
    root = await mkdtemp(join(tmpdir(), 'railyard-image-root-'));
    const db = `projects:\n  - name: ${name}\n    services:\n      - host: web\n        image: ${TEST_IMAGES.web}\n        stateless: true\n`;
    await writeFile(join(root, 'db.yml'), db);
    await writeFile(join(root, '.env'), `API_KEY=${KEY}\nSHUTDOWN_GRACE=5\n`);
    for (const path of [root, join(root, 'db.yml'), join(root, '.env')]) await chown(path, IMAGE_UID, IMAGE_UID);
    const socketGid = String(statSync('/var/run/docker.sock').gid);
    // The stack root is mounted at the same path: compose files name host paths.
    await execa('docker', ['run', '-d', '--name', name, '--group-add', socketGid, '-e', `RAILYARD_ROOT=${root}`,
      '-v', '/var/run/docker.sock:/var/run/docker.sock', '-v', `${root}:${root}`, '-p', '127.0.0.1::8888', tag]);
    const port = (await execa('docker', ['port', name, '8888/tcp'])).stdout.split('\n')[0]!.split(':').pop();
    url = `http://127.0.0.1:${port}`;
  });

  after(async () => {
    await execa('docker', ['rm', '-f', name], { reject: false });
    const ids = (await execa('docker', ['ps', '-aq', '--filter', `label=com.docker.compose.project=${name}`], { reject: false })).stdout;
    if (ids.trim() !== '') await execa('docker', ['rm', '-f', ...ids.split('\n')], { reject: false });
    await execa('docker', ['image', 'rm', '-f', tag], { reject: false });
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it('loads its native module, runs compose, and owns its stack root (image-check.mjs, in the running container)', async () => {
    const check = await execa('docker', ['exec', name, '/usr/local/bin/node', '/app/image-check.mjs'], { reject: false });
    assert.equal(check.exitCode, 0, `${check.stdout}\n${check.stderr}`);
    assert.match(check.stdout, /Docker Compose version v?2\.[\s\S]*image-check: ok/);
  });

  it('runs as a non-root user with the socket group, and /healthz answers', async () => {
    const user = (await execa('docker', ['inspect', '-f', '{{.Config.User}}', name])).stdout;
    assert.equal(user, 'railyard');
    const health = await until(async () => (await request(url, '/healthz').catch(() => undefined))?.status === 200, 30_000);
    assert.ok(health, '/healthz never answered 200');
    const body = (await request(url, '/healthz')).json<{ docker: { reachable: boolean } }>();
    assert.equal(body.docker.reachable, true, 'the engine socket is not usable from the image');
  });

  it('deploys through /update-upstream', async () => {
    const res = await request(url, `/update-upstream?project=${name}`, { headers: { 'X-API-KEY': KEY } });
    assert.equal(res.status, 202, res.text);
    const { runId } = res.json<{ runId: string }>();
    let status = '';
    await until(async () => {
      const run = (await request(url, `/api/runs/${runId}`, { headers: { 'X-API-KEY': KEY } })).json<{ status: string }>();
      status = run.status;
      return ['succeeded', 'failed', 'cancelled', 'interrupted'].includes(status);
    }, 60_000);
    assert.equal(status, 'succeeded');
    const running = (await execa('docker', ['ps', '--filter', `label=com.docker.compose.project=${name}`, '--format', '{{.State}}'])).stdout;
    assert.equal(running, 'running');
  });

  it('turns healthy by its own HEALTHCHECK, and docker stop exits 0 well within the grace', async () => {
    assert.ok(await until(async () => (await execa('docker', ['inspect', '-f', '{{.State.Health.Status}}', name])).stdout === 'healthy', 40_000));
    const started = Date.now();
    await execa('docker', ['stop', '-t', '20', name]);
    const ms = Date.now() - started;
    const code = (await execa('docker', ['inspect', '-f', '{{.State.ExitCode}}', name])).stdout;
    assert.equal(code, '0');
    assert.ok(ms < 10_000, `docker stop took ${ms} ms`);
    const logs = await execa('docker', ['logs', name]);
    assert.match(`${logs.stdout}${logs.stderr}`, /railyard stopped/);
  });
});

async function until(check: () => Promise<boolean>, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (await check()) return true;
    await new Promise((r) => setTimeout(r, 250));
  }
  return false;
}
