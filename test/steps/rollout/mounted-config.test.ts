// Issue 4 acceptance: a mounted config file edited under upstream/<project>/
// is detected (its contents are in railyard.config-hash) and rolled out, for
// the service that mounts it only.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { listContainers, type ServiceContainer } from '../../../runtime/containers.ts';
import { diff, render, rollout, validate } from '../../../steps/index.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../../helpers/docker.ts';
import { runSteps } from './run-steps.ts';
import { stackRoot } from './stack-root.ts';

const BIN = fileURLToPath(new URL('../../../bin/railyard.js', import.meta.url));

describe('a mounted config file edited under upstream/<project>/ (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const stack = stackRoot('ry-mount');
  const web = `${stack.project}-web`;
  const other = `${stack.project}-other`;
  const conf = stack.projectPath('conf', 'app.conf');

  const containers = async (): Promise<Map<string, ServiceContainer>> =>
    new Map((await listContainers(docker, { project: stack.project })).map((c) => [c.service, c]));
  /** validate → render → diff: what `railyard plan` shows. */
  const plan = () => runSteps([validate, render, diff], { env: stack.env(), docker, project: stack.project });
  /** Replaces the file as an editor or `git checkout` does: a new inode, so a running container keeps the old content. */
  const edit = (text: string): void => {
    writeFileSync(`${conf}.new`, text);
    renameSync(`${conf}.new`, conf);
  };

  before(async () => {
    ({ docker } = await requireDocker());
    await stack.prepare(docker);
    await ensureImage(docker, TEST_IMAGES.web);
    // The web image serves /www: mounting the file there lets the test read what the container sees.
    stack.writeDb(
      `projects:\n  - name: ${stack.project}\n    services:\n` +
        `      - host: web\n        image: ${TEST_IMAGES.web}\n        stateless: true\n        volumes:\n          - ./conf/app.conf:/www/app.conf:ro\n` +
        `      - host: other\n        image: ${TEST_IMAGES.web}\n        stateless: true\n`,
    );
    mkdirSync(stack.projectPath('conf'), { recursive: true });
    writeFileSync(conf, 'setting=one\n');
  });
  after(() => stack.down());

  it('deploys both services, the mounting one serving the file', async () => {
    const results = await stack.deploy(docker);
    assert.deepEqual(results.get(diff).plan.map((p) => [p.service, p.action]), [[web, 'create'], [other, 'create']]);
    const now = await containers();
    const hashes = new Map(results.get(render).services.map((s) => [s.name, s.configHash]));
    assert.equal(now.get(web)?.configHash, hashes.get(web));
    assert.equal(now.get(other)?.configHash, hashes.get(other));
    assert.equal(await served(docker, now.get(web)!.id), 'setting=one\n');
  });

  it('an edit of a file in the project folder that nothing mounts changes nothing', async () => {
    writeFileSync(stack.projectPath('notes.txt'), 'not mounted\n');
    const results = await plan();
    assert.deepEqual(results.get(diff).plan.map((p) => p.action), ['unchanged', 'unchanged']);
  });

  it('plans a rollout of the service that mounts the edited file, and of no other (steps and `railyard plan`)', async () => {
    const before = await containers();
    edit('setting=two\n');
    const cli = await execa('node', [BIN, '--root', stack.root, 'plan', stack.project, '--json', '--detailed-exitcode'], { reject: false });
    assert.equal(cli.exitCode, 2, cli.stderr);
    const printed = (JSON.parse(cli.stdout) as { plan: { service: string; action: string }[] }).plan;
    assert.deepEqual(printed.map((p) => [p.service, p.action]), [[web, 'rollout'], [other, 'unchanged']]);
    const results = await plan();
    const entries = results.get(diff).plan;
    assert.deepEqual(entries.map((p) => [p.service, p.action]), [[web, 'rollout'], [other, 'unchanged']]);
    assert.match(entries[0]!.reason, /config changed/);
    const newHash = results.get(render).services.find((s) => s.name === web)!.configHash;
    assert.notEqual(newHash, before.get(web)?.configHash);
    assert.deepEqual(Object.keys(results.get(diff).diffs), [`${stack.project}/${web}`]);
  });

  it('rolls it out: the new container has the new hash and serves the new file; the other is untouched', async () => {
    const before = await containers();
    const results = await stack.deploy(docker);
    assert.deepEqual(results.get(rollout).services.map((s) => [s.service, s.action, s.ok]), [[web, 'rollout', true]]);
    const now = await containers();
    const newHash = results.get(render).services.find((s) => s.name === web)!.configHash;
    assert.equal(now.get(web)?.configHash, newHash);
    assert.notEqual(now.get(web)?.id, before.get(web)?.id);
    assert.equal(now.get(other)?.id, before.get(other)?.id);
    assert.equal(await served(docker, now.get(web)!.id), 'setting=two\n');
    assert.deepEqual((await plan()).get(diff).plan.map((p) => p.action), ['unchanged', 'unchanged'], 'converged');
  });
});

/** /app.conf as the container serves it, fetched on its IP. */
async function served(docker: Docker, id: string): Promise<string> {
  const info = await docker.getContainer(id).inspect();
  const ip = Object.values(info.NetworkSettings.Networks)[0]?.IPAddress;
  assert.ok(ip, `container ${id} has no IP`);
  for (let attempt = 0; ; attempt++) {
    const res = await fetch(`http://${ip}:8080/app.conf`, { signal: AbortSignal.timeout(2000) }).catch((error: unknown) => error as Error);
    if (!(res instanceof Error)) return res.text();
    if (attempt >= 30) throw res;
    await new Promise((resolve) => setTimeout(resolve, 100)); // a just-created container may not listen yet
  }
}
