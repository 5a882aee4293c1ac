import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { sharedPath, sharedSuiteOptions } from '../helpers/shared.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;
const ITSUP = sharedPath('fixtures/itsup-db.yml');

async function railyard(args: string[], cwd: string, env: Record<string, string> = {}) {
  return execa(process.execPath, [BIN, ...args], { cwd, reject: false, env: { LOG_LEVEL: 'warn', ...env }, extendEnv: false });
}

describe('railyard validate', () => {
  it('exits 0 with a summary line and the network pool\'s room for the itsUP fixture', sharedSuiteOptions(), async () => {
    const result = await railyard(['validate', '--file', ITSUP], tmpdir());
    assert.equal(result.exitCode, 0, result.stderr);
    const [summary, pool, ...rest] = result.stdout.split('\n');
    assert.match(summary ?? '', /^\S+itsup-db\.yml: valid: 6 projects \(5 enabled\), 8 services, 10 ingresses$/);
    assert.equal(pool, 'network pool 10.213.0.0/16: room for 1024 project networks (/26 each), 5 enabled project(s)');
    assert.deepEqual(rest, []);
  });

  it('warns early when the network pool holds fewer networks than there are projects', sharedSuiteOptions(), async () => {
    const result = await railyard(['validate', '--file', ITSUP], tmpdir(), { RAILYARD_NETWORK_POOL: '10.213.0.0/24', RAILYARD_NETWORK_SUBNET: '26' });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /room for 4 project networks \(\/26 each\), 5 enabled/);
    assert.match(result.stderr, /warning: 1 project\(s\) will find no subnet/);
    const json = JSON.parse((await railyard(['validate', '--json', '--file', ITSUP], tmpdir(), { RAILYARD_NETWORK_POOL: '10.213.0.0/24' })).stdout);
    assert.deepEqual(json.networkPool, { cidr: '10.213.0.0/24', prefix: 26, capacity: 4, projects: 5 });
  });

  it('exits 1 with one file:line:col line per problem, and --json gives the same data', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-cli-'));
    await writeFile(join(root, 'db.yml'), 'projects:\n  - name: app\n    services:\n      - host: web\n        ingress:\n          - port: 70000\n            router: htp\n');
    const text = await railyard(['validate'], root);
    assert.equal(text.exitCode, 1);
    assert.deepEqual(text.stdout.split('\n'), [
      'db.yml:6:19 projects[0].services[0].ingress[0].port: must be <= 65535, found 70000',
      'db.yml:7:21 projects[0].services[0].ingress[0].router: must be one of "http", "tcp", "udp", found "htp"',
    ]);
    const json = await railyard(['validate', '--json'], root);
    assert.equal(json.exitCode, 1);
    const parsed = JSON.parse(json.stdout) as { ok: boolean; problems: { code: string; line: number; col: number; path: string }[] };
    assert.equal(parsed.ok, false);
    assert.deepEqual(parsed.problems.map((p) => [p.code, p.line, p.col]), [['SCHEMA_RANGE', 6, 19], ['SCHEMA_ENUM', 7, 21]]);
  });

  it('falls back to db.yml.sample with a warning when the root has no db.yml', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-cli-'));
    const result = await railyard(['validate', '--root', root], tmpdir());
    assert.equal(result.exitCode, 0, result.stderr);
    assert.match(result.stdout, /db\.yml\.sample: valid/);
    assert.match(result.stderr, /not found; using .*db\.yml\.sample/);
  });

  it('has --help and --version, and a clear error for a missing --file', async () => {
    const help = await railyard(['validate', '--help'], tmpdir());
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /Usage: railyard validate/);
    const version = await railyard(['--version'], tmpdir());
    assert.match(version.stdout, /^\d+\.\d+\.\d+$/);
    const missing = await railyard(['validate', '--file', '/nonexistent/db.yml'], tmpdir());
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stderr, /CONFIG_NOT_FOUND.*\/nonexistent\/db\.yml does not exist/);
  });
});

describe('usage errors under --json', () => {
  it('prints a usage error as a JSON document on stdout, and keeps --help text', async () => {
    const bad = await railyard(['validate', '--json', '--no-such-option'], tmpdir());
    assert.equal(bad.exitCode, 1);
    const parsed = JSON.parse(bad.stdout) as { ok: boolean; error: { code: string; message: string } };
    assert.deepEqual([parsed.ok, parsed.error.code], [false, 'USAGE']);
    assert.match(parsed.error.message, /unknown option '--no-such-option'/);
    const help = await railyard(['validate', '--json', '--help'], tmpdir());
    assert.equal(help.exitCode, 0);
    assert.match(help.stdout, /^Usage: railyard validate/);
  });
});

describe('command loading', () => {
  it('names the command after global options and their values', async () => {
    const { commandName } = await import('../../cli/commands.ts');
    assert.equal(commandName(['--root', '/srv/stack', '--file', 'x.yml', 'validate', '--json']), 'validate');
    assert.equal(commandName(['--root=/srv', 'plan', 'shop']), 'plan');
    assert.equal(commandName(['--help']), undefined);
  });

  it('still lists every command in the top-level help', async () => {
    const help = await railyard(['--help'], tmpdir());
    for (const name of ['validate', 'render', 'plan', 'apply', 'runs', 'worker', 'serve', 'threat-report', 'backup', 'restore']) {
      assert.match(help.stdout, new RegExp(`^  ${name} `, 'm'), name);
    }
  });

  it('refuses a FIFO as --file at once instead of waiting for a writer', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-cli-'));
    await execa('mkfifo', [join(root, 'db.yml')]);
    const started = Date.now();
    const result = await execa(process.execPath, [BIN, 'validate', '--file', join(root, 'db.yml')], { cwd: root, reject: false, timeout: 20_000, env: { LOG_LEVEL: 'warn' }, extendEnv: false });
    assert.equal(result.timedOut, false, 'validate hung on the FIFO');
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /CONFIG_UNREADABLE.*not a regular file/);
    assert.ok(Date.now() - started < 20_000);
  });

  it('is an error when --root names a folder that does not exist (no silent sample)', async () => {
    const result = await railyard(['validate', '--root', join(tmpdir(), 'railyard-no-such-root')], tmpdir());
    assert.equal(result.exitCode, 1);
    assert.match(result.stderr, /USAGE.*does not exist/);
    assert.doesNotMatch(result.stdout, /valid/);
  });

  it("masks railyard's secrets in problems and warnings, text and --json", async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-cli-'));
    const secret = 'gh-token-7c1f0e55aa';
    await writeFile(join(root, '.env'), `GIT_TOKEN=${secret}\n`);
    await writeFile(join(root, 'db.yml'), `projects:\n  - name: app\n    services:\n      - host: web\n        restart: ${secret}\n`);
    for (const args of [['validate'], ['validate', '--json']]) {
      const result = await railyard(args, root);
      assert.equal(result.exitCode, 1);
      assert.ok(!`${result.stdout}${result.stderr}`.includes(secret), result.stdout);
      assert.match(result.stdout, /\[redacted\]/);
    }
    // plan stops at the same problem with an error line: masked too.
    const plan = await railyard(['plan'], root);
    assert.equal(plan.exitCode, 1);
    assert.match(plan.stderr, /CONFIG_INVALID/);
    assert.ok(!plan.stderr.includes(secret), plan.stderr);
  });
});
