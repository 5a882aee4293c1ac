// The block API against real nftables (issue 15): a client namespace reaches
// a server namespace through a router namespace, where `railyard serve` runs
// (`ip netns exec`) and keeps its table. Hostile input, PUT/DELETE, port
// scope, twenty at once, TTL, restarts and a flushed ruleset, a missing nft,
// fail2ban's own code running the shipped action, and /metrics.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { dockerRequired } from '../helpers/docker.ts';
import { createTopology, netnsAvailable, type Topology } from '../helpers/netns.ts';
import { spawnServe, type ServeProcess } from '../helpers/serve-process.ts';

const KEY = 'ry-blocks-test-key-4f2a9c';
const USER = 'fail2ban';
const PASSWORD = 'ry-blocks-basic-pw-71d0';
const WHITELISTED = '10.201.1.99';
const ACTION_DIR = new URL('../../deploy/fail2ban', import.meta.url).pathname;
const FAIL2BAN_RUNNER = new URL('../fixtures/fail2ban-action.py', import.meta.url).pathname;

const unavailable = await netnsAvailable();
if (unavailable !== undefined && dockerRequired()) throw new Error(`REQUIRE_DOCKER=1 but network namespaces or nft do not work: ${unavailable}`);
if (unavailable !== undefined) process.stderr.write(`SKIP block namespace suite: ${unavailable} (run scripts/test-host.sh as root)\n`);

interface Answer {
  readonly status: number;
  readonly body: Record<string, unknown>;
}

describe('block API on nftables in network namespaces', unavailable === undefined ? {} : { skip: unavailable }, () => {
  let net: Topology;
  let root: string;
  let web: ChildProcess;
  let railyard: ServeProcess | undefined;
  let url = '';

  const start = async (environ: Record<string, string> = {}): Promise<void> => {
    railyard = spawnServe({
      root,
      environ: {
        API_KEY: KEY, BLOCK_API_USER: USER, BLOCK_API_PASSWORD: PASSWORD, THREAT_WHITELIST: WHITELISTED, LOG_LEVEL: 'info', ...environ,
      },
      shell: `exec ip netns exec ${net.router} "$NODE" "$BIN" --root "$ROOT" serve --no-schedule`,
    });
    url = await railyard.url;
  };
  const stop = async (): Promise<void> => {
    await railyard?.stop();

    railyard = undefined;
  };
  const api = async (method: string, path: string, auth: readonly string[] = ['-H', `Authorization: Bearer ${KEY}`]): Promise<Answer> => {
    const { stdout } = await net.exec(net.router, ['curl', '-s', '--max-time', '10', '-X', method, ...auth, '-w', '\n%{http_code}', `${url}${path}`]);
    const at = stdout.lastIndexOf('\n');
    const text = stdout.slice(0, at);
    return { status: Number(stdout.slice(at + 1)), body: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
  };
  const elements = async (set = 'v4'): Promise<string> => {
    const listed = await net.exec(net.router, ['nft', 'list', 'set', 'inet', 'railyard', set], { reject: false });
    return listed.stdout;
  };
  const until = async (what: string, check: () => Promise<boolean>, ms = 6000): Promise<number> => {
    const started = performance.now();
    while (!(await check())) {
      if (performance.now() - started > ms) assert.fail(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return performance.now() - started;
  };

  before(async () => {
    net = await createTopology(20);
    root = await mkdtemp(join(tmpdir(), 'railyard-blocks-'));
    web = spawn('ip', ['netns', 'exec', net.server, process.execPath, '-e',
      "const h=require('http');for(const p of [80,8080])h.createServer((q,r)=>r.end('ok')).listen(p,'::')"], { stdio: 'ignore' });
    await until('the web server', () => net.reaches(80));
    // IPv6 too, before any test asks once: the first packets wait for neighbour discovery on both links.
    await until('the web server over IPv6', () => net.reaches(80, net.clientIp6));
    await start();
  });

  after(async () => {
    await stop();
    web?.kill();
    await net?.remove();
    if (root !== undefined) await rm(root, { recursive: true, force: true });
  });

  it('refuses hostile input with a clear 4xx, and nothing reaches nft', async () => {
    const cases: [string, string, number, string[]?][] = [
      ['shell metacharacters', `/api/blocks/ipv4/${encodeURIComponent('1.2.3.4; rm -rf /')}`, 400],
      ['every address', '/api/blocks/ipv4/0.0.0.0/0', 400],
      ['a wide network', '/api/blocks/ipv4/10.0.0.0/8', 400],
      ['a whitelisted address', `/api/blocks/ipv4/${WHITELISTED}`, 400],
      ['an IPv6 zone id', `/api/blocks/ipv6/${encodeURIComponent('fe80::1%eth0')}`, 400],
      ['an IPv4-mapped IPv6 address', '/api/blocks/ipv6/::ffff:1.2.3.4', 400],
      ['IPv6 on the IPv4 path', '/api/blocks/ipv4/2001:db8::1', 400],
      ['loopback', '/api/blocks/ipv4/127.0.0.1', 400],
      ["the router's own address", '/api/blocks/ipv4/10.201.1.1', 400],
      ['a 300-character address', `/api/blocks/ipv4/${'1'.repeat(300)}`, 400],
      ['a bad ttl', `/api/blocks/ipv4/${net.clientIp}?ttl=soon`, 400],
      ['a bad port', `/api/blocks/ipv4/${net.clientIp}?port=70000`, 400],
      ['wrong Basic credentials', `/api/blocks/ipv4/${net.clientIp}`, 401, ['-u', `${USER}:wrong`]],
      ['no credentials', `/api/blocks/ipv4/${net.clientIp}`, 401, []],
    ];
    for (const [what, path, status, auth] of cases) {
      const answer = await api('PUT', path, auth);
      assert.equal(answer.status, status, `${what}: ${JSON.stringify(answer.body)}`);
      const error = answer.body['error'] as { code: string; message: string };
      assert.equal(error.code, status === 400 ? 'BLOCK_REFUSED' : 'AUTH_FAILED', what);
      assert.ok(error.message.length > 20, `${what}: ${error.message}`);
    }
    const tables = await net.exec(net.router, ['nft', 'list', 'tables']);
    assert.doesNotMatch(tables.stdout, /railyard/, 'no table was created: nothing reached nft');
    assert.deepEqual((await api('GET', '/api/blocks')).body['blocks'], []);
    assert.equal(await net.reaches(80), true);
  });

  it('a PUT drops the client at once, a DELETE lets it through again (HTTP Basic as web-ipt-d sends it)', async () => {
    // A TCP connection attempt every 10 ms from the client: the last one that connected says when the drops began.
    const probe = `const net=require('net');setInterval(()=>{const s=net.connect({host:'${net.serverIp}',port:80,localAddress:'${net.clientIp}'});`
      + `s.setTimeout(200,()=>s.destroy());s.on('error',()=>{});s.on('connect',()=>{console.log('ok '+Date.now());s.destroy()})},10)`;
    const ping = spawn('ip', ['netns', 'exec', net.client, process.execPath, '-e', probe], { stdio: ['ignore', 'pipe', 'ignore'] });
    let pings = '';
    ping.stdout!.on('data', (chunk: Buffer) => (pings += chunk.toString()));
    await until('the first probe to connect', async () => pings.includes('ok '), 15_000);
    const started = Date.now();
    const put = await api('PUT', `/api/blocks/ipv4/${net.clientIp}?reason=ssh%20brute%20force`, ['-u', `${USER}:${PASSWORD}`]);
    const putMs = Date.now() - started;
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(await net.reaches(80), false, 'blocked right after the answer');
    ping.kill();
    const connected = [...pings.matchAll(/^ok (\d+)$/gm)].map((m) => Number(m[1]));
    const dropMs = connected.at(-1)! - started;
    process.stderr.write(`blocks: the PUT's answer (applied) came ${putMs} ms after it was sent; the last connection got through ${dropMs} ms after the PUT was sent (one attempt every 10 ms)\n`);
    assert.ok(dropMs <= putMs + 20, 'no reply once the PUT was answered');
    assert.match(await elements(), new RegExp(net.clientIp.replace(/\./g, '\\.')));
    const list = await api('GET', '/api/blocks');
    const [block] = list.body['blocks'] as { target: string; reporters: { reason: string }[] }[];
    assert.equal(block?.target, net.clientIp);
    assert.equal(block?.reporters[0]?.reason, 'ssh brute force');
    const metrics = await net.exec(net.router, ['curl', '-s', '-H', `Authorization: Bearer ${KEY}`, `${url}/metrics`]);
    assert.match(metrics.stdout, /^railyard_blocks_active 1$/m);
    assert.match(metrics.stdout, /^railyard_blocks_dropped_packets_total [1-9]\d*$/m, 'the probe was counted by the table');
    const deleted = await api('DELETE', `/api/blocks/ipv4/${net.clientIp}`, ['-u', `${USER}:${PASSWORD}`]);
    assert.equal(deleted.status, 200, JSON.stringify(deleted.body));
    assert.equal(deleted.body['lifted'], true);
    assert.equal(await net.reaches(80), true);
  });

  it('blocks IPv6 the same way; a network holding the router is refused', async () => {
    assert.equal(await net.reaches(80, net.clientIp6), true);
    const wide = await api('PUT', '/api/blocks/ipv6/fd01:201:1::/64');
    assert.equal(wide.status, 400);
    assert.match((wide.body['error'] as { message: string }).message, /fd01:201:1::1: one of this host's addresses/);
    const put = await api('PUT', `/api/blocks/ipv6/${net.clientIp6}?ttl=1h`);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(await net.reaches(80, net.clientIp6), false);
    assert.equal(await net.reaches(80), true, 'IPv4 from the same client still passes');
    assert.match(await elements('v6'), /fd01:201:1::2/);
    assert.equal((await api('DELETE', `/api/blocks/ipv6/${net.clientIp6}`)).status, 200);
    assert.equal(await net.reaches(80, net.clientIp6), true);
  });

  it("web-ipt-d's path form blocks too, and a port-scoped block drops only that port", async () => {
    const put = await api('PUT', `/chain/DOCKER-USER/ipv4/${net.clientIp}?port=80&proto=tcp`);
    assert.equal(put.status, 201, JSON.stringify(put.body));
    assert.equal(await net.reaches(80), false);
    assert.equal(await net.reaches(8080), true);
    const block = put.body['block'] as { port: number; reporters: { reason: string }[] };
    assert.equal(block.port, 80);
    assert.equal(block.reporters[0]?.reason, 'chain DOCKER-USER');
    assert.equal((await api('DELETE', `/api/blocks/ipv4/${net.clientIp}`)).status, 404, 'the whole-address block is another key');
    assert.equal((await api('DELETE', `/api/blocks/ipv4/${net.clientIp}?port=80`)).status, 200);
    assert.equal(await net.reaches(80), true);
  });

  it('twenty addresses blocked at once are all applied', async () => {
    const answers = await Promise.all(net.clientAddresses.map((ip) => api('PUT', `/api/blocks/ipv4/${ip}`)));
    assert.deepEqual(answers.map((a) => a.status), net.clientAddresses.map(() => 201));
    const reached = await Promise.all(net.clientAddresses.map((ip) => net.reaches(80, ip)));
    assert.deepEqual(reached, net.clientAddresses.map(() => false));
    assert.equal(await net.reaches(80), true, 'the unblocked address still passes');
    const listed = await elements();
    for (const ip of net.clientAddresses) assert.ok(listed.includes(ip), ip);
    await Promise.all(net.clientAddresses.map((ip) => api('DELETE', `/api/blocks/ipv4/${ip}`)));
    assert.deepEqual(await Promise.all(net.clientAddresses.map((ip) => net.reaches(80, ip))), net.clientAddresses.map(() => true));
  });

  it('a TTL expires on its own', async () => {
    assert.equal((await api('PUT', `/api/blocks/ipv4/${net.clientIp}?ttl=2`)).status, 201);
    assert.equal(await net.reaches(80), false);
    const waited = await until('the TTL to lift the block', () => net.reaches(80, net.clientIp, 300), 6000);
    assert.ok(waited > 1000, `lifted after ${waited} ms, not before its TTL`);
    assert.deepEqual((await api('GET', '/api/blocks')).body['blocks'], []);
    const metrics = await net.exec(net.router, ['curl', '-s', '-H', `Authorization: Bearer ${KEY}`, `${url}/metrics`]);
    assert.match(metrics.stdout, /^railyard_blocks_expired_total 1$/m);
  });

  it('the block holds after railyard restarts, and after the ruleset is flushed by hand and railyard starts again', async () => {
    assert.equal((await api('PUT', `/api/blocks/ipv4/${net.clientIp}`)).status, 201);
    await stop();
    await start();
    assert.equal(await net.reaches(80), false, 'after a restart');
    await stop();
    await net.exec(net.router, ['nft', 'flush', 'ruleset']);
    assert.equal(await net.reaches(80), true, 'the flush removed the block from the kernel');
    await start();
    assert.equal(await net.reaches(80), false, 'railyard loaded it again at start');
    // Flushed while railyard runs: the next change finds no table and loads the whole table.
    await net.exec(net.router, ['nft', 'flush', 'ruleset']);
    assert.equal((await api('PUT', `/api/blocks/ipv4/${net.clientAddresses[0]}`)).status, 201);
    assert.equal(await net.reaches(80), false);
    assert.equal(await net.reaches(80, net.clientAddresses[0]), false);
    await api('DELETE', `/api/blocks/ipv4/${net.clientIp}`);
    await api('DELETE', `/api/blocks/ipv4/${net.clientAddresses[0]}`);
  });

  it('nft missing: a clear error code, and the block stays stored for the next start', async () => {
    await stop();
    await start({ BLOCK_NFT: join(root, 'no-such-nft') });
    const put = await api('PUT', `/api/blocks/ipv4/${net.clientIp}`);
    assert.equal(put.status, 503);
    assert.equal((put.body['error'] as { code: string }).code, 'FIREWALL_UNAVAILABLE');
    assert.equal(((await api('GET', '/api/blocks')).body['blocks'] as unknown[]).length, 1, 'stored');
    assert.equal(await net.reaches(80), true);
    await stop();
    await start();
    assert.equal(await net.reaches(80), false, 'applied at the next start');
    await api('DELETE', `/api/blocks/ipv4/${net.clientIp}`);
    assert.equal(await net.reaches(80), true);
  });

  it("fail2ban's own action code runs the shipped action: ban blocks, unban unblocks", async () => {
    const f2b = spawn('ip', ['netns', 'exec', net.router, '/usr/bin/python3', FAIL2BAN_RUNNER, ACTION_DIR, net.clientIp, '600',
      `railyard_url=${url}`, `railyard_user=${USER}`, `railyard_password=${PASSWORD}`], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    f2b.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
    f2b.stderr!.on('data', (chunk: Buffer) => (err += chunk.toString()));
    const run = async (verb: string): Promise<void> => {
      f2b.stdin!.write(`${verb}\n`);
      await until(`fail2ban to ${verb} (${err.slice(-300)})`, async () => out.includes(`ok ${verb}`), 10_000);
    };
    try {
      await run('ban');
      assert.equal(await net.reaches(80), false);
      const [block] = (await api('GET', '/api/blocks')).body['blocks'] as { reporters: { reason: string; expiresAt: string }[] }[];
      assert.equal(block?.reporters[0]?.reason, 'fail2ban sshd');
      assert.ok(Date.parse(block!.reporters[0]!.expiresAt) > Date.now() + 590_000, 'bantime became the TTL');
      await run('unban');
      assert.equal(await net.reaches(80), true);
      assert.deepEqual((await api('GET', '/api/blocks')).body['blocks'], []);
    } finally {
      f2b.kill();
    }
  });
});
