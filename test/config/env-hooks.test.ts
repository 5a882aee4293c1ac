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

describe('loadEnv: issue 12 settings', () => {
  const problemsOf = async (environ: Record<string, string>): Promise<string[]> => {
    try {
      loadEnv({ root: await root(), environ });
      return [];
    } catch (error) {
      assert.ok(isRailyardError(error, 'ENV_INVALID'), String(error));
      return (error.data as { problems: string[] }).problems;
    }
  };

  it('refuses HOOK_ALLOWED_CIDRS and TRUSTED_PROXIES made of separators only: that would allow everyone', async () => {
    for (const value of [',,,', ' , ', ',\t,']) {
      assert.match((await problemsOf({ HOOK_ALLOWED_CIDRS: value })).join(';'), /HOOK_ALLOWED_CIDRS=.* names no CIDR/, JSON.stringify(value));
      assert.match((await problemsOf({ TRUSTED_PROXIES: value })).join(';'), /TRUSTED_PROXIES=.* names no CIDR/);
    }
    assert.deepEqual(loadEnv({ root: await root(), environ: { HOOK_ALLOWED_CIDRS: '' } }).hookAllowedCidrs, []);
  });

  it('reads TRUSTED_PROXIES (default loopback), HOOK_UNAUTH_*, RESTORE_MAX_*, HOST_ACCESS', async () => {
    const env = loadEnv({ root: await root(), environ: {} });
    assert.deepEqual([env.trustedProxies, env.hookUnauthMemory, env.hookUnauthPerSource, env.restoreMaxRatio, env.hostAccess.mode],
      [['127.0.0.0/8', '::1/128'], 32 * 1024 * 1024, 10 * 1024 * 1024, 100, 'warn']);
    const set = loadEnv({ root: await root(), environ: { TRUSTED_PROXIES: '10.0.0.2, fd00::/8', RESTORE_MAX_BYTES: '2 GiB', HOST_ACCESS: 'refuse', HOST_ACCESS_ALLOW: 'vpn' } });
    assert.deepEqual([set.trustedProxies, set.restoreMaxBytes, set.hostAccess], [['10.0.0.2/32', 'fd00::/8'], 2 * 1024 ** 3, { mode: 'refuse', allow: ['vpn'] }]);
    assert.equal((await problemsOf({ HOST_ACCESS: 'maybe', HOOK_UNAUTH_MEMORY: '1 KiB', TRUSTED_PROXIES: 'proxy.local' })).length, 4);
    assert.match((await problemsOf({ HOOK_UNAUTH_PER_SOURCE: '1 MiB' })).join(';'), /HOOK_UNAUTH_PER_SOURCE .* must be at least HOOK_MAX_BODY/);
  });

  it('refuses a stack root given by --root or RAILYARD_ROOT that does not exist or is a file', async () => {
    const missing = join(await root(), 'typo');
    assert.throws(() => loadEnv({ root: missing, environ: {} }), (error) => isRailyardError(error, 'USAGE') && /--root/.test(error.message));
    assert.throws(() => loadEnv({ environ: { RAILYARD_ROOT: missing } }), (error) => isRailyardError(error, 'USAGE') && /RAILYARD_ROOT/.test(error.message));
    assert.throws(() => loadEnv({ root: '/etc/hostname', environ: {} }), (error) => isRailyardError(error, 'USAGE'));
  });
});
