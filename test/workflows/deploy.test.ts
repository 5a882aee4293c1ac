import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, statSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { execa } from 'execa';
import { parse } from 'yaml';
import { API_KEY, startTestServer, type TestServer } from '../helpers/hook-server.ts';
import { tempRoot, until } from '../helpers/runner.ts';

interface Step {
  readonly name: string;
  readonly run?: string;
  readonly env?: Record<string, string>;
  readonly if?: string;
}
interface Workflow {
  readonly on: { workflow_run: { workflows: string[]; types: string[]; branches: string[] } };
  readonly jobs: { deploy: { if: string; steps: Step[]; env: Record<string, string> } };
}

const workflow = parse(readFileSync(new URL('../../.github/workflows/deploy.yml', import.meta.url), 'utf8')) as Workflow;
const steps = workflow.jobs.deploy.steps;
const step = (prefix: string): Step => steps.find((s) => s.name.startsWith(prefix))!;

describe('.github/workflows/deploy.yml', () => {
  it('runs after CI passed on main, installs openvpn and connects before deploying, and disconnects always', () => {
    assert.deepEqual(workflow.on.workflow_run, { workflows: ['ci'], types: ['completed'], branches: ['main'] });
    assert.match(workflow.jobs.deploy.if, /conclusion == 'success'/);
    assert.deepEqual(steps.map((s) => s.name.split(' ')[0]), ['Install', 'Write', 'Connect', 'Deploy', 'Disconnect']);
    assert.match(step('Install').run!, /apt-get install -y -qq openvpn/);
    assert.match(step('Connect').run!, /openvpn --config/);
    assert.equal(step('Disconnect').if, 'always()');
  });

  it('never puts a secret in a command line or an echo: secrets reach scripts only as environment variables', () => {
    for (const s of steps) {
      assert.ok(!/\$\{\{\s*secrets\./.test(s.run ?? ''), `${s.name} expands a secret into its script`);
      assert.ok(!/set -x|set -o xtrace/.test(s.run ?? ''), `${s.name} traces commands`);
      assert.ok(!/echo[^\n]*\$(RAILYARD_API_KEY|OPENVPN_CONFIG)/.test(s.run ?? ''), `${s.name} echoes a secret`);
    }
    assert.deepEqual(Object.keys(step('Write').env!).sort(), ['OPENVPN_CONFIG', 'RAILYARD_API_KEY']);
  });

  it('builds the client config from the secret, routing only railyard through the tunnel, and prints neither secret', async () => {
    const temp = await tempRoot('railyard-workflow-write-');
    // The shape ovpn_getclient writes, `redirect-gateway def1` included (CRLF too: a file pasted from Windows).
    const ovpn = 'client\nremote vpn.example.com 1194 udp\n<key>\nPRIVATE-KEY-7731\n</key>\nredirect-gateway def1\n  redirect-gateway def1 bypass-dhcp\r\nredirect-gateway\ntun-mtu 1400';
    const secrets = { OPENVPN_CONFIG: ovpn, RAILYARD_API_KEY: 'key-for-the-workflow-5521' };
    const result = await execa('bash', ['-c', step('Write').run!], { reject: false, env: { RUNNER_TEMP: temp, RAILYARD_URL: 'http://172.18.0.1:8888', ...secrets } });
    assert.equal(result.exitCode, 0, result.stderr);
    assert.ok(!`${result.stdout}${result.stderr}`.includes('PRIVATE-KEY-7731') && !`${result.stdout}${result.stderr}`.includes('5521'));
    const config = readFileSync(`${temp}/deploy/client.ovpn`, 'utf8');
    assert.match(config, /^client\nremote vpn\.example\.com 1194 udp\n/);
    assert.match(config, /pull-filter ignore "redirect-gateway"\n/);
    assert.match(config, /pull-filter ignore "block-outside-dns"\n/);
    // pull-filter only drops pushed options: the client file's own redirect-gateway lines must go.
    assert.deepEqual(config.split('\n').filter((l) => /redirect-gateway/.test(l)), ['pull-filter ignore "redirect-gateway"']);
    assert.match(config, /<\/key>\ntun-mtu 1400\n/);
    assert.match(config, /\nroute 172\.18\.0\.1 255\.255\.255\.255\n$/);
    assert.equal(readFileSync(`${temp}/deploy/auth-header`, 'utf8'), 'Authorization: Bearer key-for-the-workflow-5521\n');
    assert.equal(statSync(`${temp}/deploy/auth-header`).mode & 0o777, 0o600);
    const missing = await execa('bash', ['-c', step('Write').run!], { reject: false, env: { RUNNER_TEMP: temp, RAILYARD_URL: 'http://x', OPENVPN_CONFIG: '', RAILYARD_API_KEY: '' } });
    assert.equal(missing.exitCode, 1);
    assert.match(missing.stdout, /::error::Set the repository secrets/);
  });

  describe('the deploy step, against a real railyard', () => {
    let t: TestServer;
    let temp: string;
    before(async () => {
      t = await startTestServer();
      temp = await tempRoot('railyard-workflow-');
      await execa('bash', ['-c', 'mkdir -p "$RUNNER_TEMP/deploy" && printf "Authorization: Bearer %s\\n" "$KEY" > "$RUNNER_TEMP/deploy/auth-header"'], { env: { RUNNER_TEMP: temp, KEY: API_KEY } });
    });
    after(() => t.close());
    const deploy = (project: string) =>
      execa('bash', ['-c', step('Deploy').run!], { reject: false, env: { RUNNER_TEMP: temp, RAILYARD_URL: t.url, PROJECT: project, SERVICE: '', POLL_SECONDS: '0.1' } });

    it('succeeds when the run succeeds, naming the run and its steps', async () => {
      const result = await deploy('alpha');
      assert.equal(result.exitCode, 0, result.stdout + result.stderr);
      assert.match(result.stdout, /accepted the deploy of alpha as run #\d+/);
      assert.match(result.stdout, /run #\d+ succeeded/);
      assert.ok(!`${result.stdout}${result.stderr}`.includes(API_KEY));
    });

    it('fails with the failing step, code and message when the run failed', async () => {
      t.hold.failure = { code: 'ROLLOUT_UNHEALTHY', message: 'web never turned healthy' };
      try {
        const result = await deploy('beta');
        assert.equal(result.exitCode, 1);
        assert.match(result.stdout, /::error::run #\d+ failed at step work: \[ROLLOUT_UNHEALTHY\] web never turned healthy/);
      } finally {
        t.hold.failure = undefined;
      }
    });

    it('fails with railyard\'s answer when the deploy is refused (unknown project)', async () => {
      const result = await deploy('gamma');
      assert.equal(result.exitCode, 1);
      assert.match(result.stdout, /::error::railyard refused the deploy of gamma \(HTTP 404\): .*PROJECT_NOT_FOUND/);
    });

    it('says railyard is unreachable (not that it refused) when nothing answers, after RAILYARD_UNREACHABLE_SECONDS', async () => {
      const closed = await new Promise<number>((resolve) => {
        const probe = createServer().listen(0, '127.0.0.1', () => {
          const { port } = probe.address() as AddressInfo;
          probe.close(() => resolve(port));
        });
      });
      const started = Date.now();
      const result = await execa('bash', ['-c', step('Deploy').run!], {
        reject: false,
        env: { RUNNER_TEMP: temp, RAILYARD_URL: `http://127.0.0.1:${closed}`, PROJECT: 'alpha', SERVICE: '', POLL_SECONDS: '0.2', RAILYARD_UNREACHABLE_SECONDS: '1' },
      });
      assert.equal(result.exitCode, 1);
      assert.match(result.stdout, new RegExp(`::error::railyard is unreachable at http://127\\.0\\.0\\.1:${closed}: no answer for 1 s \\(curl: \\(7\\) .*\\)`));
      assert.ok(!result.stdout.includes('refused the deploy'), result.stdout);
      assert.ok(Date.now() - started >= 1000, 'it asked again for RAILYARD_UNREACHABLE_SECONDS');
    });

    it('follows a superseded run to the run that does the work', async () => {
      let release!: () => void;
      t.hold.blocker = new Promise((resolve) => {
        release = resolve;
      });
      try {
        const first = await t.request('/api/projects/alpha/deploy', { method: 'POST', headers: { 'x-api-key': API_KEY } });
        const running = first.json<{ runId: string }>().runId;
        await until(() => t.serving.store.getRun(running)?.status === 'running', 5000, 'the first deploy to start');
        await t.request('/api/projects/alpha/deploy', { method: 'POST', headers: { 'x-api-key': API_KEY } });
        const pending = deploy('alpha');
        setTimeout(() => {
          t.hold.blocker = undefined;
          release();
        }, 300);
        const result = await pending;
        assert.equal(result.exitCode, 0, result.stdout);
        assert.match(result.stdout, /run #\d+ superseded: following run #\d+/);
        assert.ok(!result.stdout.includes(`run #${running} succeeded`));
      } finally {
        t.hold.blocker = undefined;
        release();
      }
    });
  });
});
