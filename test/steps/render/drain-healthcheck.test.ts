// The drain guard railyard renders around a db.yml healthcheck (issue 17 item 1).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { DRAIN_MARKER } from '../../../runtime/container-ops.ts';
import { drainMode, hasDrainGuard, withDrainMarker } from '../../../steps/render/drain-healthcheck.ts';

describe('drain healthcheck', () => {
  it('wraps shell-form checks only, and says why not otherwise', () => {
    assert.deepEqual(withDrainMarker({ test: 'curl -f http://x/', interval: '5s' }).test?.[0], 'CMD-SHELL');
    assert.ok(hasDrainGuard(withDrainMarker({ test: ['CMD-SHELL', 'pg_isready'] }).test as string[]));
    const cmd = { test: ['CMD', 'wget', '-q', 'http://x/'] };
    assert.equal(withDrainMarker(cmd), cmd);
    assert.match((drainMode(cmd) as { why: string }).why, /CMD form/);
    assert.match((drainMode(undefined) as { why: string }).why, /no healthcheck/);
    assert.match((drainMode({ test: ['CMD-SHELL', 'true'], disable: true }) as { why: string }).why, /disabled/);
    assert.match((drainMode({ test: ['NONE'] }) as { why: string }).why, /NONE/);
    assert.equal(hasDrainGuard(['CMD-SHELL', 'true']), false);
    assert.deepEqual(withDrainMarker({ test: 'true', retries: 2 }).retries, 2);
  });

  it('fails while the marker exists, and otherwise answers with the user\'s check (run by /bin/sh)', async () => {
    // The marker path is fixed; run the rendered script with the path moved to a temp file.
    const marker = `/tmp/railyard-drain-test-${process.pid}`;
    const script = (user: string): string => (withDrainMarker({ test: user }).test as string[])[1]!.replace(DRAIN_MARKER, marker);
    const run = (user: string) => execa('/bin/sh', ['-c', script(user)], { reject: false });
    assert.equal((await run('exit 0')).exitCode, 0);
    assert.equal((await run('exit 1')).exitCode, 1);
    assert.equal((await run('echo ok # a trailing comment')).exitCode, 0);
    await execa('touch', [marker]);
    try {
      const draining = await run('exit 0');
      assert.equal(draining.exitCode, 1);
      assert.match(draining.stdout, /draining/);
    } finally {
      await execa('rm', ['-f', marker]);
    }
  });
});
