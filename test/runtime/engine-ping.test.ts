import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRailyardError } from '../../core/errors.ts';
import { enginePing } from '../../runtime/engine-ping.ts';
import { dockerSuiteOptions, requireDocker } from '../helpers/docker.ts';

describe('runtime/engine-ping (real dockerd)', await dockerSuiteOptions(), () => {
  it('answers for the real engine', async () => {
    const { endpoint } = await requireDocker();
    await enginePing(endpoint)(3000);
  });
});

describe('runtime/engine-ping', () => {
  it('is DOCKER_UNREACHABLE, naming the endpoint, for a missing socket and for one that never answers', async () => {
    const missing = `unix://${join(tmpdir(), `ry-no-engine-${process.pid}.sock`)}`;
    await assert.rejects(enginePing(missing)(1000), (error: unknown) => isRailyardError(error, 'DOCKER_UNREACHABLE') && error.userMessage.includes(missing));
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const started = Date.now();
    const tcp = `tcp://127.0.0.1:${(silent.address() as { port: number }).port}`;
    await assert.rejects(enginePing(tcp)(300), (error: unknown) => isRailyardError(error, 'DOCKER_UNREACHABLE') && /no answer within 300 ms/.test(error.userMessage));
    assert.ok(Date.now() - started < 2000);
    silent.close();
  });
});
