// Issue 12 item 3 "Stack identity" and item 7 "apply --dry-run": two stack
// roots on one real dockerd. Each container carries its stack root
// (`railyard.stack`, or for one rendered before that label, its compose
// folder); a plan never proposes anything for another root's containers, and
// a project name both roots deploy is refused rather than taken over.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { LABEL_STACK, listContainers } from '../../runtime/containers.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../helpers/docker.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { stackRoot } from '../steps/rollout/stack-root.ts';

const BIN = fileURLToPath(new URL('../../bin/railyard.js', import.meta.url));
const dbOf = (project: string): string => `projects:\n  - name: ${project}\n    services:\n      - host: web\n        image: ${TEST_IMAGES.sleeper}\n        stateless: true\n`;

interface Planned { project: string; service: string; action: string }
async function plan(root: string, ...args: string[]) {
  const run = await execa('node', [BIN, '--root', root, ...args, '--json'], { reject: false });
  const parsed = run.exitCode === 0 || run.exitCode === 2 ? (JSON.parse(run.stdout) as { plan: Planned[] }).plan : [];
  return { ...run, plan: parsed };
}

describe('two stack roots on one engine (real dockerd)', await dockerSuiteOptions(), () => {
  let docker: Docker;
  const a = stackRoot('ry-stack-a');
  const b = stackRoot('ry-stack-b');
  const legacy = uniqueName('ry-stack-legacy');

  before(async () => {
    ({ docker } = await requireDocker());
    await a.prepare(docker);
    await b.prepare(docker);
    await ensureImage(docker, TEST_IMAGES.sleeper);
    a.writeDb(dbOf(a.project));
    b.writeDb(dbOf(b.project));
    await a.deploy(docker);
    // A container railyard rendered before the stack label: only its compose folder says which root it is of.
    await execa('docker', [
      'run', '-d', '--name', `${legacy}-web-1`,
      '--label', `com.docker.compose.project=${legacy}`, '--label', `com.docker.compose.service=${legacy}-web`,
      '--label', 'railyard.config-hash=0123', '--label', `com.docker.compose.project.working_dir=${a.root}/upstream/${legacy}`,
      TEST_IMAGES.sleeper,
    ]);
  });
  after(async () => {
    await execa('docker', ['rm', '-f', `${legacy}-web-1`], { reject: false });
    await a.down();
    await b.down();
  });

  it('labels every container it deploys with its stack root', async () => {
    const containers = await listContainers(docker, { project: a.project });
    assert.equal(containers.length, 1);
    const [info] = await docker.listContainers({ all: true, filters: { label: [`com.docker.compose.project=${a.project}`] } });
    assert.equal(info?.Labels[LABEL_STACK], a.root);
    assert.equal(containers[0]!.stack, a.root);
  });

  it('plan in one root proposes nothing for another root\'s projects, labelled or not', async () => {
    const inB = await plan(b.root, 'plan', '--detailed-exitcode');
    assert.equal(inB.exitCode, 2, inB.stderr);
    assert.deepEqual(inB.plan.filter((p) => p.action === 'remove'), [], 'nothing of another root is removed');
    assert.ok(inB.plan.some((p) => p.project === b.project && p.action === 'create'));
    const inA = await plan(a.root, 'plan');
    assert.deepEqual(inA.plan.filter((p) => p.action === 'remove').map((p) => p.project), [legacy], 'its own unlabelled leftovers are still its own');
    assert.deepEqual(inA.plan.filter((p) => p.project === a.project).map((p) => p.action), ['unchanged']);
  });

  it('refuses to plan a project whose containers another root deployed', async () => {
    b.writeDb(dbOf(a.project));
    const taken = await plan(b.root, 'plan', a.project);
    assert.equal(taken.exitCode, 1);
    // With --json the error is printed as JSON on stdout.
    assert.match(taken.stdout + taken.stderr, /STACK_CONFLICT/);
    assert.match(taken.stdout + taken.stderr, new RegExp(`another stack root \\(${a.root}\\)`));
    b.writeDb(dbOf(b.project));
  });

  it('apply --dry-run is plan: the same output and exit code, no run, nothing deployed', async () => {
    const planned = await execa('node', [BIN, '--root', b.root, 'plan', b.project, '--detailed-exitcode'], { reject: false });
    const dry = await execa('node', [BIN, '--root', b.root, 'apply', b.project, '--dry-run', '--detailed-exitcode'], { reject: false });
    assert.equal(dry.exitCode, 2, dry.stderr);
    assert.equal(dry.stdout, planned.stdout);
    assert.match(dry.stdout, new RegExp(`${b.project}/${b.project}-web\\s+create`));
    assert.deepEqual(await listContainers(docker, { project: b.project }), []);
    assert.equal(existsSync(join(b.root, 'data', 'railyard.db')), false, 'no run was queued');
    for (const bad of [['--pull'], ['--detach']]) {
      const refused = await execa('node', [BIN, '--root', b.root, 'apply', b.project, '--dry-run', ...bad], { reject: false });
      assert.equal(refused.exitCode, 1);
      assert.match(refused.stderr, /USAGE/);
    }
  });
});
