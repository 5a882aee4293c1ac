import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createReverseDns } from '../../../steps/threat-report/rdns.ts';
import { startDnsServer, type DnsServer } from '../../helpers/dns-server.ts';

describe('reverse DNS', () => {
  let dns: DnsServer;
  const signal = new AbortController().signal;

  before(async () => {
    dns = await startDnsServer({
      ptr: {
        '45.33.32.156': 'scanme.nmap.org',
        '2a01:4f8::1': 'static.1.0.f8.4f.a01.clients.your-server.de',
        '198.51.100.7': "=cmd|' /C calc'!A0.evil.example",
        '198.51.100.8': 'line\nbreak.evil.example',
        '198.51.100.9': '\u001b[31mred\u001b[0m.evil.example',
      },
      silent: ['198.51.100.99'],
    });
  });
  after(() => dns.close());

  it('returns the PTR name, IPv4 and IPv6, from the configured server', async () => {
    const rdns = createReverseDns({ servers: [dns.address] });
    assert.equal(await rdns.lookup('45.33.32.156', signal), 'scanme.nmap.org');
    assert.equal(await rdns.lookup('2a01:4f8::1', signal), 'static.1.0.f8.4f.a01.clients.your-server.de');
    assert.equal(await rdns.lookup('45.33.32.157', signal), undefined, 'NXDOMAIN: no name');
    assert.ok(dns.queries.includes('2a01:4f8::1'));
    rdns.close();
  });

  it('removes control characters and ANSI sequences from hostile names (CSV escaping is csv.ts\'s job)', async () => {
    const rdns = createReverseDns({ servers: [dns.address] });
    assert.equal(await rdns.lookup('198.51.100.8', signal), 'linebreak.evil.example');
    assert.equal(await rdns.lookup('198.51.100.9', signal), 'red.evil.example');
    assert.equal(await rdns.lookup('198.51.100.7', signal), "=cmd|' /C calc'!A0.evil.example");
    rdns.close();
  });

  it('gives up after the timeout when the server never answers', async () => {
    const rdns = createReverseDns({ servers: [dns.address], timeoutMs: 300 });
    const started = performance.now();
    assert.equal(await rdns.lookup('198.51.100.99', signal), undefined);
    const took = performance.now() - started;
    assert.ok(took >= 290 && took < 600, `took ${took} ms`);
    rdns.close();
  });

  it('rejects when the run is aborted', async () => {
    const rdns = createReverseDns({ servers: [dns.address], timeoutMs: 5000 });
    const controller = new AbortController();
    const lookup = rdns.lookup('198.51.100.99', controller.signal);
    controller.abort(new Error('stop'));
    await assert.rejects(lookup, /stop/);
    rdns.close();
  });
});
