import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { execa } from 'execa';

const MODULE = new URL('../../cli/stop-signals.ts', import.meta.url).pathname;

/** A process like serve mid-rollout: stop handlers installed, a subprocess (execa, as docker compose is run) in flight. */
function midSubprocess() {
  const script = `
    import { execa } from 'execa';
    import { onStopSignals } from ${JSON.stringify(MODULE)};
    onStopSignals(() => {
      console.log('stopping');
      setTimeout(() => { console.log('stopped'); process.exit(0); }, 400); // a shutdown takes a while
    });
    const sleeper = execa('sleep', ['30'], { reject: false });
    sleeper.on('spawn', () => console.log('ready'));
    await sleeper;`;
  const child = execa(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { reject: false, cwd: new URL('../..', import.meta.url).pathname });
  const ready = new Promise<void>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      if (chunk.toString().includes('ready')) resolve();
    });
  });
  return { child, ready };
}

describe('serve and worker stop signals', () => {
  it('a SIGTERM while a subprocess runs shuts down (execa\'s signal-exit does not re-raise it): exit 0, not 143', async () => {
    const { child, ready } = midSubprocess();
    await ready;
    child.kill('SIGTERM');
    const result = await child;
    assert.deepEqual([result.exitCode, result.signal], [0, undefined], result.stdout + result.stderr);
    assert.match(result.stdout, /stopping\n(?:ready\n)?stopped/);
  });

  it('a second signal during the shutdown kills the process the default way', async () => {
    const { child, ready } = midSubprocess();
    await ready;
    child.kill('SIGTERM');
    await once(child.stdout, 'data');
    child.kill('SIGINT');
    const result = await child;
    assert.equal(result.signal, 'SIGINT', result.stdout + result.stderr);
    assert.ok(!result.stdout.includes('stopped'));
  });
});
