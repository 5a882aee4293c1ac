// deploy/coreos/railyard.bu (issue 16): the Butane config's units are checked
// by systemd itself (`systemd-analyze verify`, Debian's systemd), as are the
// plain units in deploy/systemd/. No Butane binary exists in Debian, so the
// Butane document is checked for what Butane requires of it.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { load } from 'js-yaml';

const REPO = new URL('../..', import.meta.url).pathname;
const hasVerify = spawnSync('systemd-analyze', ['--version']).status === 0;
const skip = hasVerify ? {} : { skip: 'systemd-analyze not installed (apt-get install systemd)' };

interface Butane {
  variant: string;
  version: string;
  storage: { directories: { path: string; user: { id: number } }[] };
  systemd: { units: { name: string; enabled?: boolean; contents?: string }[] };
}

function verify(dir: string, names: string[]): { status: number | null; output: string } {
  const result = spawnSync('systemd-analyze', ['verify', '--man=no', ...names.map((n) => join(dir, n))], { encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

describe('deploy/coreos/railyard.bu', skip, () => {
  const bu = load(readFileSync(join(REPO, 'deploy/coreos/railyard.bu'), 'utf8')) as Butane;

  it('is a Fedora CoreOS Butane document whose stack root belongs to the image user', () => {
    assert.equal(bu.variant, 'fcos');
    assert.match(bu.version, /^1\.\d+\.\d+$/);
    assert.deepEqual(bu.storage.directories.map((d) => [d.path, d.user.id]), [['/var/srv/railyard', 10001]]);
    assert.ok(bu.systemd.units.some((u) => u.name === 'podman.socket' && u.enabled), 'Podman API socket enabled');
  });

  it('has units that systemd-analyze verify accepts, socket-activated and run by Podman', () => {
    const dir = mkdtempSync(join(tmpdir(), 'railyard-bu-'));
    const units = bu.systemd.units.filter((u) => u.contents !== undefined);
    for (const unit of units) writeFileSync(join(dir, unit.name), unit.contents!);
    const result = verify(dir, units.map((u) => u.name));
    assert.equal(result.status, 0, result.output);
    const service = units.find((u) => u.name === 'railyard.service')!.contents!;
    assert.match(service, /ExecStart=\/usr\/bin\/podman run .*--preserve-fds=1/s);
    assert.match(service, /-v \/run\/podman\/podman\.sock:\/var\/run\/docker\.sock/);
    assert.match(units.find((u) => u.name === 'railyard.socket')!.contents!, /^ListenStream=/m);
  });

  it('verify refuses a broken unit (the check can fail)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'railyard-bu-'));
    const service = bu.systemd.units.find((u) => u.name === 'railyard.service')!.contents!;
    writeFileSync(join(dir, 'railyard.service'), service.replace('/usr/bin/podman run', '/usr/bin/no-such-podman run'));
    assert.notEqual(verify(dir, ['railyard.service']).status, 0);
  });

  it('deploy/systemd units verify too', () => {
    const dir = join(REPO, 'deploy/systemd');
    const result = verify(dir, ['railyard.socket', 'railyard.service']);
    assert.equal(result.status, 0, result.output);
  });
});
