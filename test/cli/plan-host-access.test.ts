import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { dockerSuiteOptions } from '../helpers/docker.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

describe('railyard plan: settings that take over the host', async () => {
  it('names each one with what it grants, before the plan, and in --json', await dockerSuiteOptions(), async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-plan-host-'));
    const project = `ry-hostaccess-${process.pid}`;
    await writeFile(join(root, 'db.yml'), `projects:\n  - name: ${project}\n    services:\n      - host: web\n        image: 127.0.0.1:5000/railyard-test/web:1\n` +
      '        volumes:\n          - /var/run/docker.sock:/var/run/docker.sock\n        additional_properties:\n          privileged: true\n          pid: host\n');
    const run = (args: string[]) => execa(process.execPath, [BIN, '--root', root, 'plan', project, ...args], {
      reject: false, extendEnv: false, env: { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'warn', ...(process.env['DOCKER_HOST'] && { DOCKER_HOST: process.env['DOCKER_HOST'] }) },
    });
    const text = await run([]);
    assert.equal(text.exitCode, 0, text.stderr);
    const lines = text.stdout.split('\n').filter((l) => l.includes('warning:'));
    assert.equal(lines.length, 3, text.stdout);
    assert.match(text.stdout, /db\.yml:\d+:\d+ projects\[0\]\.services\[0\]\.volumes\[0\]: warning: volume \/var\/run\/docker\.sock gives the container the Docker engine/);
    assert.match(text.stdout, /privileged: true gives the container every device and capability of the host/);
    assert.match(text.stdout, /pid: host gives the container every process of the host/);
    assert.match(text.stdout, new RegExp(`${project}/${project}-web\\s+create`));
    const json = JSON.parse((await run(['--json'])).stdout) as { configWarnings: { code: string }[] };
    assert.deepEqual(json.configWarnings.map((w) => w.code), ['HOST_ACCESS', 'HOST_ACCESS', 'HOST_ACCESS']);
    const refused = await execa(process.execPath, [BIN, '--root', root, 'plan', project], { reject: false, extendEnv: false, env: { PATH: process.env['PATH'] ?? '', HOST_ACCESS: 'refuse' } });
    assert.equal(refused.exitCode, 1);
    assert.match(refused.stderr, /CONFIG_INVALID.*HOST_ACCESS=refuse/);
  });
});
