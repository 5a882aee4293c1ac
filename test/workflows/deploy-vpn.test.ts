// Issue 12 item 6, as it was tried: deploy.yml's own steps (parsed from the
// YAML, run in order with bash) in a "runner" namespace that reaches railyard
// through a real OpenVPN server, with railyard SIGKILLed, then stopped with
// SIGTERM under socket activation, while the workflow polls. The addresses
// come from the files a user copies: .env.sample's HOOK_ALLOWED_CIDRS,
// deploy.yml's RAILYARD_URL example and railyard.socket's ListenStream.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmod, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { execa } from 'execa';
import { parse } from 'yaml';
import { RunStore, storePath } from '../../pipeline/run-store.ts';
import { uniqueName } from '../helpers/compose-project.ts';
import { TEST_IMAGES, dockerSuiteOptions, ensureImage, requireDocker } from '../helpers/docker.ts';
import { tempRoot } from '../helpers/runner.ts';
import { BIN, spawnServe, type ServeProcess } from '../helpers/serve-process.ts';
import { startVpnLab, vpnLabMissing, type VpnLab } from './vpn-lab.ts';

const file = (path: string) => readFile(new URL(`../../${path}`, import.meta.url), 'utf8');
const yml = await file('.github/workflows/deploy.yml');
const steps = (parse(yml) as { jobs: { deploy: { steps: { name: string; run?: string }[] } } }).jobs.deploy.steps;
const script = (prefix: string): string => steps.find((s) => s.name.startsWith(prefix))!.run!;
const allowed = /^HOOK_ALLOWED_CIDRS=(.+)$/m.exec(await file('.env.sample'))![1]!;
const url = new URL(/RAILYARD_URL +railyard over the VPN.*?e\.g\. (http:\/\/\S+)/s.exec(yml)![1]!);
const listen = /^ListenStream=(.+):(\d+)$/m.exec(await file('deploy/systemd/railyard.socket'))!;
const KEY = 'ry-vpn-workflow-key-0c5e1d';
const GRACE_S = 1;

const skip = vpnLabMissing() ?? (await dockerSuiteOptions()).skip;

describe('deploy.yml over a real OpenVPN, railyard killed and stopped while the workflow polls', { ...(skip && { skip }), timeout: 240_000 }, () => {
  let docker: Docker;
  let lab: VpnLab;
  let root: string;
  const project = uniqueName('ryvpn');
  const processes: ServeProcess[] = [];
  const db = (image: string) =>
    `projects:\n  - name: ${project}\n    services:\n      - host: web\n        image: ${image}\n        stateless: true\n        rollout:\n          drain: 3s\n`;

  before(async () => {
    ({ docker } = await requireDocker());
    await Promise.all([TEST_IMAGES.web, TEST_IMAGES.web2].map((image) => ensureImage(docker, image)));
    root = await tempRoot('railyard-vpn-');
    await writeFile(join(root, 'db.yml'), db(TEST_IMAGES.web));
    // Docker gives a user network a /16 with the gateway at .1: proxynet as README step 3 finds it.
    const [started, applied] = await Promise.all([
      startVpnLab({ cidr: `${url.hostname}/16`, gateway: url.hostname }),
      execa(process.execPath, [BIN, '--root', root, 'apply', project], { reject: false, env: { DOCKER_HOST: 'unix:///var/run/docker.sock', LOG_LEVEL: 'warn' } }),
    ]);
    lab = started;
    assert.equal(applied.exitCode, 0, `the first deploy: ${applied.stdout}${applied.stderr}`);
  });

  after(async () => {
    await writeFile(join(root, 'supervisor.stop'), '');
    for (const p of processes) if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGKILL');
    for (const pid of processes.flatMap(servePids)) await killIfServe(pid);
    await lab?.close();
    await execa('docker', ['compose', '-p', project, 'down', '-t', '1'], { reject: false });
    await rm(root, { recursive: true, force: true });
  });

  const serveEnv = { API_KEY: KEY, HOOK_ALLOWED_CIDRS: allowed, SHUTDOWN_GRACE: String(GRACE_S), DOCKER_HOST: 'unix:///var/run/docker.sock', LOG_LEVEL: 'info' };
  /** `railyard serve` on the host, listening itself on 0.0.0.0:PORT (README step 3). */
  const servePlain = (): ServeProcess => track(spawnServe({
    root, environ: { ...serveEnv, NS: lab.ns.host, HOST: '0.0.0.0', PORT: url.port },
    shell: 'exec ip netns exec "$NS" "$NODE" "$BIN" --root "$ROOT" serve --no-schedule',
  }));
  /** The same under socket activation: the socket (railyard.socket's ListenStream) outlives each serve. */
  const serveActivated = (): ServeProcess => track(spawnServe({
    root, environ: { ...serveEnv, NS: lab.ns.host, HOLDER: new URL('./socket-holder.mjs', import.meta.url).pathname, ADDRESS: listen[1]!, LISTEN_PORT: listen[2]!, LOOP: SUPERVISOR },
    shell: 'exec ip netns exec "$NS" "$NODE" "$HOLDER" "$ADDRESS" "$LISTEN_PORT" "$LOOP"',
  }));
  const track = (p: ServeProcess): ServeProcess => (processes.push(p), p);

  /** Runs one step of the job in the runner namespace, as GitHub does (`bash -e`), with the job's environment. */
  const runStep = (temp: string, prefix: string, env: Record<string, string> = {}) =>
    execa('ip', ['netns', 'exec', lab.ns.runner, 'bash', '--noprofile', '--norc', '-e', '-c', script(prefix)], {
      reject: false, all: true,
      env: { PATH: `${temp}/bin:${process.env['PATH']}`, RUNNER_TEMP: temp, RAILYARD_URL: url.origin, PROJECT: project, SERVICE: '', POLL_SECONDS: '0.5', RAILYARD_UNREACHABLE_SECONDS: '60', ...env },
    });

  /** Write + Connect; then the runner's routes: railyard through the tunnel, everything else not. */
  async function connect(): Promise<string> {
    const temp = await tempRoot('railyard-vpn-runner-');
    await mkdir(join(temp, 'bin'));
    await writeFile(join(temp, 'bin', 'sudo'), '#!/bin/sh\nexec "$@"\n'); // the test runs as root already
    await chmod(join(temp, 'bin', 'sudo'), 0o755);
    const write = await runStep(temp, 'Write', { OPENVPN_CONFIG: lab.clientFile, RAILYARD_API_KEY: KEY });
    assert.equal(write.exitCode, 0, write.all);
    const up = await runStep(temp, 'Connect');
    assert.equal(up.exitCode, 0, up.all);
    const routes = await lab.exec(lab.ns.runner, ['ip', '-4', 'route', 'show']);
    assert.ok(!/^(0\.0\.0\.0\/1|128\.0\.0\.0\/1|default) .*dev tun/m.test(routes), `the runner's default route goes through the tunnel:\n${routes}`);
    assert.match(await lab.exec(lab.ns.runner, ['ip', 'route', 'get', '198.51.100.7']), new RegExp(`dev ${lab.runnerLink} `), 'the internet stays on the runner\'s own link');
    assert.match(await lab.exec(lab.ns.runner, ['ip', 'route', 'get', url.hostname]), /dev tun\d/, 'railyard is reached through the tunnel');
    const vpnLog = await readFile(join(temp, 'deploy', 'openvpn.log'), 'utf8');
    assert.ok(!vpnLog.includes('block-outside-dns') && !vpnLog.includes('Options error'), vpnLog);
    return temp;
  }

  async function disconnect(temp: string): Promise<void> {
    const down = await runStep(temp, 'Disconnect');
    assert.equal(down.exitCode, 0, down.all);
    await rm(temp, { recursive: true, force: true });
  }

  /** Resolves once the rollout scaled up to `count` containers, old and new side by side (the drain comes next). */
  async function midRollout(count: number): Promise<void> {
    for (let i = 0; i < 600; i += 1) {
      const list = await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } });
      if (list.length >= count) return;
      await sleep(50);
    }
    throw new Error('the rollout never scaled up');
  }

  /** The runs the workflow followed, from the one it was given to the one that succeeded; checked against the store. */
  function followed(out: string): string[] {
    const chain = [/accepted the deploy of \S+ as run #(\d+)/.exec(out)?.[1]];
    for (let next; (next = new RegExp(`run #${chain.at(-1)} interrupted: following run #(\\d+)`).exec(out)?.[1]) !== undefined;) chain.push(next);
    assert.match(out, new RegExp(`run #${chain.at(-1)} succeeded`));
    const store = RunStore.open(storePath(root));
    try {
      const runs = chain.map((id) => store.getRun(id!)!);
      assert.deepEqual(runs.map((r) => [r.status, r.retriedBy]), runs.map((_, i) => (i < runs.length - 1 ? ['interrupted', chain[i + 1]] : ['succeeded', undefined])));
    } finally {
      store.close();
    }
    return chain as string[];
  }

  async function runningImages(): Promise<string[]> {
    return (await docker.listContainers({ filters: { label: [`com.docker.compose.project=${project}`] } })).map((c) => c.Image);
  }

  // One job for both (each costs a rollout and a restart; CI time counts): SIGKILL during the deploy's
  // rollout, a restart under socket activation, then SIGTERM during its retry's rollout.
  it(`the job succeeds through a SIGKILL (port closed: it waits by time) and a SIGTERM under socket activation (no poll refused; serve exits within SHUTDOWN_GRACE + 2.5 s), following each interrupted run to its retry`, async (t) => {
    await writeFile(join(root, 'db.yml'), db(TEST_IMAGES.web2));
    const plain = servePlain();
    await plain.url;
    const temp = await connect();
    const deploying = runStep(temp, 'Deploy');
    let done = false;
    const ended = deploying.then((r) => {
      done = true;
      throw new Error(`the job ended before the test was done with railyard:\n${r.all}`);
    });
    ended.catch(() => undefined);
    const during = <T>(wait: Promise<T>): Promise<T> => Promise.race([wait, ended]);

    await during(midRollout(2));
    plain.child.kill('SIGKILL');
    await sleep(1500); // the port is closed: polls fail
    assert.equal(done, false, 'the job is still waiting');
    const supervised = serveActivated();
    await supervised.url;

    await during(midRollout(3)); // the retry's rollout: the two left by the killed run, and one more
    const from = supervised.lines.length;
    const stopping = Date.now();
    process.kill(servePids(supervised).at(-1)!, 'SIGTERM');
    const exited = JSON.parse(await during(supervised.waitFor(/"msg":"supervisor: serve exited"/, from, 30_000))) as { code: number; at: number };
    assert.equal(exited.code, 0, 'serve shut down, it was not killed by the signal');
    assert.ok(exited.at - stopping <= GRACE_S * 1000 + 2500, `serve exited ${exited.at - stopping} ms after SIGTERM`);
    t.diagnostic(`SHUTDOWN_GRACE=${GRACE_S}: serve exited ${exited.at - stopping} ms after SIGTERM, mid-rollout`);

    const result = await deploying;
    const out = result.all!;
    assert.equal(result.exitCode, 0, out);
    assert.match(out, /railyard did not answer about run #\d+ \(curl: \(\d+\) .*\); waiting up to 60 s/);
    assert.equal(out.match(/did not answer/g)?.length, 1, `only the SIGKILL closed the port; under socket activation no poll failed:\n${out}`);
    assert.match(out, /railyard answers again after \d+ s/);
    assert.equal(followed(out).length, 3, out);
    assert.deepEqual(await runningImages(), [TEST_IMAGES.web2]);
    await disconnect(temp);

    await writeFile(join(root, 'supervisor.stop'), '');
    const holderExit = once(supervised.child, 'exit');
    process.kill(servePids(supervised).at(-1)!, 'SIGTERM');
    assert.deepEqual(await holderExit, [0, null]);
  });
});

/** Restart=always for the socket-activated serve; each exit is logged with its time. */
const SUPERVISOR = `
while [ ! -e "$ROOT/supervisor.stop" ]; do
  code=0
  sh -c 'LISTEN_PID=$$ LISTEN_FDS=1 exec "$NODE" "$BIN" --root "$ROOT" serve --no-schedule' || code=$?
  echo "{\\"msg\\":\\"supervisor: serve exited\\",\\"code\\":$code,\\"at\\":$(date +%s%3N)}" >&2
done`;

/** The pids of the serve processes that logged `railyard serving`, oldest first. */
function servePids(p: ServeProcess): number[] {
  return p.lines.filter((l) => l.includes('"msg":"railyard serving"')).map((l) => (JSON.parse(l) as { pid: number }).pid);
}

/** After a failed test: a serve this file started may outlive its supervisor. Checks the pid is still that serve. */
async function killIfServe(pid: number): Promise<void> {
  const cmdline = await readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '');
  if (cmdline.includes(BIN) && cmdline.includes('serve')) process.kill(pid, 'SIGKILL');
}
