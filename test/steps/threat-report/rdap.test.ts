import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHttpClient, type HttpClient } from '../../../steps/threat-report/http.ts';
import { parseTarget } from '../../../steps/threat-report/ip.ts';
import { lookupRdap } from '../../../steps/threat-report/rdap.ts';
import { startRdapServer, type ApiServer } from '../../helpers/threat-apis.ts';

const target = (text: string) => parseTarget(text)!;
const signal = new AbortController().signal;

describe('RDAP lookup', () => {
  let http: HttpClient;
  let registry: ApiServer;
  let bootstrap: ApiServer;

  before(async () => {
    http = createHttpClient();
    registry = await startRdapServer({
      records: {
        '45.33.32.156': {
          name: 'LINODE-US', org: 'Akamai Technologies, Inc.', country: 'US',
          abuseEmail: 'abuse@akamai.com', abusePhone: '+1-609-380-7100', orgEmail: 'noc@akamai.com',
          remarks: ['Linode network,', 'report abuse to abuse@akamai.com'],
        },
        '185.220.101.0/24': { name: 'TOR-EXIT', country: 'DE', abuseEmail: 'abuse@tor.example' },
        '2a01:4f8::1': { name: 'HETZNER', org: 'Hetzner Online GmbH', country: 'DE', orgEmail: 'abuse@hetzner.com' },
        '203.0.113.66': { name: 'EVIL', org: 'Evil\u001b[31m Corp\nLtd', remarks: ['=HYPERLINK("http://x")'] },
      },
    });
    bootstrap = await startRdapServer({ redirectTo: registry.url });
  });
  after(async () => {
    await http.close();
    await Promise.all([registry.close(), bootstrap.close()]);
  });

  it('reads organisation, country, abuse e-mails, phone and remarks, following the bootstrap redirect', async () => {
    const info = await lookupRdap({ http, baseUrl: bootstrap.url }, target('45.33.32.156'), signal);
    assert.deepEqual(info, {
      org_name: 'Akamai Technologies, Inc.',
      country: 'US',
      emails: 'abuse@akamai.com',
      phone: '+1-609-380-7100',
      description: 'Linode network, report abuse to abuse@akamai.com',
    });
    assert.ok(registry.requests.some((r) => r.url === '/ip/45.33.32.156'));
  });

  it('looks networks up by CIDR, IPv6 too, falling back to the network name, and to any e-mail without an abuse contact', async () => {
    const net = await lookupRdap({ http, baseUrl: registry.url }, target('185.220.101.0/24'), signal);
    assert.deepEqual([net.org_name, net.country, net.emails], ['TOR-EXIT', 'DE', 'abuse@tor.example']);
    const six = await lookupRdap({ http, baseUrl: registry.url }, target('2a01:4f8::1'), signal);
    assert.deepEqual([six.org_name, six.emails], ['Hetzner Online GmbH', 'abuse@hetzner.com']);
  });

  it('cleans control characters from what the registrant wrote', async () => {
    const info = await lookupRdap({ http, baseUrl: registry.url }, target('203.0.113.66'), signal);
    assert.equal(info.org_name, 'Evil Corp Ltd');
    assert.equal(info.description, '=HYPERLINK("http://x")', 'formula escaping happens when the CSV is written');
  });

  it('gives empty fields for an address without a record, and the error for a failure', async () => {
    assert.equal((await lookupRdap({ http, baseUrl: registry.url }, target('45.33.32.157'), signal)).org_name, '');
    const down = await lookupRdap({ http, baseUrl: 'http://127.0.0.1:1/' }, target('45.33.32.156'), signal);
    assert.equal(down.org_name, 'RDAP error: ECONNREFUSED');
  });

  it('waits for Retry-After on a 429, then retries', async () => {
    const throttled = await startRdapServer({ records: { '45.33.32.156': { name: 'LINODE-US' } }, throttle: { count: 1, retryAfter: '1' } });
    try {
      const info = await lookupRdap({ http, baseUrl: throttled.url }, target('45.33.32.156'), signal);
      assert.equal(info.org_name, 'LINODE-US');
      const [first, second] = throttled.requests;
      assert.ok(first && second && second.at - first.at >= 1000, 'the retry waited a second');
    } finally {
      await throttled.close();
    }
  });
});
