import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../core/errors.ts';

const root = () => mkdtemp(join(tmpdir(), 'railyard-env-hooks-'));

describe('loadEnv: the HTTP endpoint', () => {
  it('defaults: 0.0.0.0:8888, 5 MiB bodies, no proxy trusted, 30 s grace, no socket activation, every source', async () => {
    const env = loadEnv({ root: await root(), environ: {} });
    assert.deepEqual(
      [env.host, env.port, env.hookMaxBody, env.trustProxy, env.shutdownGraceMs, env.listenFd, env.hookAllowedCidrs],
      ['0.0.0.0', 8888, 5 * 1024 * 1024, false, 30_000, undefined, []],
    );
  });

  it('reads HOOK_MAX_BODY in bytes, KiB or MiB; TRUST_PROXY; SHUTDOWN_GRACE; bare addresses as /32 and /128', async () => {
    const dir = await root();
    const read = (environ: Record<string, string>) => loadEnv({ root: dir, environ });
    assert.equal(read({ HOOK_MAX_BODY: '65536' }).hookMaxBody, 65_536);
    assert.equal(read({ HOOK_MAX_BODY: '64KiB' }).hookMaxBody, 65_536);
    assert.equal(read({ HOOK_MAX_BODY: '10 MiB' }).hookMaxBody, 10 * 1024 * 1024);
    assert.equal(read({ TRUST_PROXY: 'yes' }).trustProxy, true);
    assert.equal(read({ SHUTDOWN_GRACE: '5' }).shutdownGraceMs, 5000);
    assert.deepEqual(read({ HOOK_ALLOWED_CIDRS: '10.8.0.0/24 127.0.0.1 ::1' }).hookAllowedCidrs, ['10.8.0.0/24', '127.0.0.1/32', '::1/128']);
  });

  it('listens on fd 3 only when LISTEN_PID is this process', async () => {
    const dir = await root();
    assert.equal(loadEnv({ root: dir, environ: { LISTEN_PID: String(process.pid), LISTEN_FDS: '1' } }).listenFd, 3);
    assert.equal(loadEnv({ root: dir, environ: { LISTEN_PID: '1', LISTEN_FDS: '1' } }).listenFd, undefined);
    assert.equal(loadEnv({ root: dir, environ: { LISTEN_PID: String(process.pid), LISTEN_FDS: '0' } }).listenFd, undefined);
  });

  it('refuses a bad CIDR, size or flag with ENV_INVALID (the server never starts open by mistake)', async () => {
    const dir = await root();
    for (const environ of [
      { HOOK_ALLOWED_CIDRS: '10.8.0.0/33' }, { HOOK_ALLOWED_CIDRS: 'vpn' }, { HOOK_ALLOWED_CIDRS: '10.8.0/24' }, { HOOK_ALLOWED_CIDRS: '::1/129' },
      { HOOK_MAX_BODY: '5GB' }, { HOOK_MAX_BODY: '12' }, { HOOK_MAX_BODY: 'lots' }, { TRUST_PROXY: 'maybe' },
    ]) {
      assert.throws(() => loadEnv({ root: dir, environ }), (error) => isRailyardError(error, 'ENV_INVALID'), JSON.stringify(environ));
    }
  });
});
