// The backup's swarm-data warning: its text, and that a host without a swarm
// (the shared dockerd) or without an engine warns of nothing and fails nothing.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { tmpdir } from 'node:os';
import pino from 'pino';
import { endpointOf } from '../../../runtime/engine-endpoint.ts';
import { swarmDataText, warnSwarmData } from '../../../steps/backup/swarm-data.ts';
import { detectDocker, dockerSuiteOptions } from '../../helpers/docker.ts';

// Resolved before any suite: --test-force-exit ends the file once the suites registered so far are done.
const withDocker = await dockerSuiteOptions();

function capture(): { log: pino.Logger; lines: () => { level: number; msg: string }[] } {
  const out: string[] = [];
  const log = pino({ level: 'info' }, new Writable({ write: (chunk: Buffer, _encoding, done) => { out.push(chunk.toString()); done(); } }));
  return { log, lines: () => out.map((l) => JSON.parse(l) as { level: number; msg: string }) };
}

describe('swarm data warning', () => {
  it('names the service, its project, the node its data is on, the paths and this node', () => {
    assert.equal(
      swarmDataText({ project: 'shop', service: 'shop_shop-db', nodes: ['db-1'], sources: ['/srv/upstream/shop/data'] }, 'mgr'),
      'shop_shop-db (project shop) is stateful and runs on swarm node db-1, not on mgr where railyard runs: '
        + "its bind-mounted data (/srv/upstream/shop/data) is on that disk and not in this backup, which archives mgr's disk only",
    );
  });

  it('an engine that does not answer: no warning, the backup goes on, and the log says it did not check', async () => {
    const { log, lines } = capture();
    const endpoint = endpointOf('unix:///nonexistent/docker.sock')!;
    assert.deepEqual(await warnSwarmData({ endpoint }, tmpdir(), log), []);
    assert.deepEqual(lines().map((l) => [l.level, l.msg]), [[30, 'swarm data placement not checked']]);
  });
});

describe('swarm data warning on an engine without a swarm (real dockerd)', withDocker, () => {
  it('warns of nothing', async () => {
    const engine = (await detectDocker())!;
    const { log, lines } = capture();
    assert.deepEqual(await warnSwarmData({ endpoint: endpointOf(engine.endpoint)! }, tmpdir(), log), []);
    assert.deepEqual(lines(), []);
  });
});
