// Many `railyard apply <project>` at once on one stack root: one process takes
// the runner lock, the others queue their run through the store and wait. The
// lock holder ends after its own run; a run queued after its last look at the
// store had no process left to run it, and its `apply` waited forever (seen:
// 2 of 20 waited 17 minutes). Every apply must end, each with its run final.
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { execa } from 'execa';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
const APPLIES = 10;

describe('concurrent applies on one stack root', () => {
  let root = '';
  after(async () => {
    if (root !== '') await rm(root, { recursive: true, force: true });
  });

  it(`${APPLIES} applies at once all end, each with its run final`, async () => {
    root = await mkdtemp(join(tmpdir(), 'ry-apply-many-'));
    const names = Array.from({ length: APPLIES }, (_, i) => `p${i}`);
    const db = `projects:\n${names.map((n) => `  - name: ${n}\n    services:\n      - host: web\n        image: busybox:1\n`).join('')}`;
    await writeFile(join(root, 'db.yml'), db);
    // No engine: each run fails at its diff with DOCKER_UNREACHABLE, quickly, which is what makes the race likely.
    const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', DOCKER_HOST: 'unix:///nonexistent/railyard-apply-many.sock', LOG_LEVEL: 'warn' };
    const results = await Promise.all(names.map((name) =>
      execa(process.execPath, [BIN, '--root', root, 'apply', name, '--json'], { env, extendEnv: false, reject: false, timeout: 90_000 })));
    for (const [i, result] of results.entries()) {
      assert.equal(result.timedOut, false, `apply ${names[i]} still waiting after 90 s`);
      assert.equal(result.exitCode, 1, `apply ${names[i]}: ${result.stderr}`);
      assert.match(result.stdout, /DOCKER_UNREACHABLE/, `apply ${names[i]}: ${result.stdout}`);
    }
  });
});
