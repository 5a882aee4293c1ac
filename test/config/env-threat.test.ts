import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../core/errors.ts';

const emptyRoot = () => mkdtemp(join(tmpdir(), 'railyard-env-threat-'));

describe('loadEnv: threat report', () => {
  it("defaults to itsUP's paths under the stack root, rdap.org, AbuseIPDB v2 and 10 requests/s", async () => {
    const root = await emptyRoot();
    const { threat } = loadEnv({ root, environ: {} });
    assert.deepEqual(threat, {
      blacklist: [join(root, 'data/blacklist/blacklist-outbound-ips.txt')],
      fail2banLogs: [],
      whitelist: { addresses: [], files: [] },
      dnsServers: [],
      rdapBaseUrl: 'https://rdap.org/',
      abuseipdbBaseUrl: 'https://api.abuseipdb.com/api/v2/',
      reportFile: join(root, 'reports/potential_threat_actors.csv'),
      geoipDb: undefined,
      ndjsonFile: join(root, 'reports/potential_threat_actors.ndjson'),
      concurrency: 10,
      abuseipdbRate: { cap: 10, intervalMs: 1000 },
    });
  });

  it("reads itsUP's whitelist file when it exists, and no default blacklist when only fail2ban is set", async () => {
    const root = await emptyRoot();
    await mkdir(join(root, 'data/whitelist'), { recursive: true });
    await writeFile(join(root, 'data/whitelist/whitelist-outbound-ips.txt'), '9.9.9.9\n');
    const { threat } = loadEnv({ root, environ: { THREAT_FAIL2BAN_LOG: '/var/log/fail2ban.log' } });
    assert.deepEqual(threat.blacklist, []);
    assert.deepEqual(threat.fail2banLogs, ['/var/log/fail2ban.log']);
    assert.deepEqual(threat.whitelist.files, [join(root, 'data/whitelist/whitelist-outbound-ips.txt')]);
  });

  it('splits THREAT_WHITELIST into addresses and files, and reads the rate as N, N/s, N/min or N/h', async () => {
    const root = await emptyRoot();
    const env = loadEnv({
      root,
      environ: {
        THREAT_WHITELIST: '140.82.112.0/20, 9.9.9.9 2620:fe::fe lists/white.txt',
        ABUSEIPDB_RATE: '60/min',
        RDAP_BASE_URL: 'http://127.0.0.1:8080/rdap',
        THREAT_DNS_SERVERS: '127.0.0.1:5353',
      },
    });
    assert.deepEqual(env.threat.whitelist, { addresses: ['140.82.112.0/20', '9.9.9.9', '2620:fe::fe'], files: [join(root, 'lists/white.txt')] });
    assert.deepEqual(env.threat.abuseipdbRate, { cap: 60, intervalMs: 60_000 });
    assert.equal(env.threat.rdapBaseUrl, 'http://127.0.0.1:8080/rdap/');
    assert.deepEqual(env.threat.dnsServers, ['127.0.0.1:5353']);
    assert.deepEqual(loadEnv({ root, environ: { ABUSEIPDB_RATE: '5' } }).threat.abuseipdbRate, { cap: 5, intervalMs: 1000 });
  });

  it('refuses a bad rate, URL or concurrency with ENV_INVALID', async () => {
    const root = await emptyRoot();
    for (const environ of [{ ABUSEIPDB_RATE: '10/fortnight' }, { ABUSEIPDB_RATE: '0' }, { RDAP_BASE_URL: 'rdap.org' }, { THREAT_CONCURRENCY: '0' }]) {
      assert.throws(() => loadEnv({ root, environ }), (error: unknown) => isRailyardError(error, 'ENV_INVALID'), JSON.stringify(environ));
    }
  });
});
