import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { execa } from 'execa';
import { detectDocker, dockerSuiteOptions, TEST_IMAGES } from '../helpers/docker.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { useColour } from '../../cli/colour.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
const GREEN = '\x1b[32m';

describe('railyard plan colours', await dockerSuiteOptions(), () => {
  let root: string;
  let env: Record<string, string>;
  before(async () => {
    const engine = (await detectDocker())!;
    root = await mkdtemp(join(tmpdir(), 'railyard-plan-colour-'));
    await writeFile(join(root, 'db.yml'), `projects:\n  - name: ${uniqueName('rycolour')}\n    services:\n      - host: web\n        image: ${TEST_IMAGES.web}\n`);
    env = { PATH: process.env['PATH'] ?? '', LOG_LEVEL: 'silent', DOCKER_HOST: engine.endpoint };
  });
  // script(1) gives the command a pseudo-terminal, as a person's shell does.
  const onTty = (args: string, extra: Record<string, string> = {}) =>
    execa('script', ['-qec', `${process.execPath} ${BIN} plan ${args}`, '/dev/null'], { cwd: root, env: { ...env, ...extra }, extendEnv: false, reject: false });

  it('colours the diff on a terminal, and not with NO_COLOR, --no-color or a pipe', async () => {
    const tty = await onTty('');
    assert.equal(tty.exitCode, 0, tty.stdout);
    assert.ok(tty.stdout.includes(`${GREEN}+`), 'additions are green on a terminal');
    assert.ok(!(await onTty('', { NO_COLOR: '1' })).stdout.includes('\x1b['), 'NO_COLOR');
    assert.ok(!(await onTty('--no-color')).stdout.includes('\x1b['), '--no-color');
    assert.equal(useColour({ isTTY: undefined, noColor: false, flag: undefined }), false, 'a pipe gets plain text');
  });
});
