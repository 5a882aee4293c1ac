import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { formatCsv, type Row } from '../../../steps/threat-report/csv.ts';
import {
  readRows, readRowsUntimed, runThreatReport, startThreatStack, writeBlacklist, type ThreatStack,
} from '../../helpers/threat-report.ts';

const BLACKLIST = [
  '# Outbound blacklist - one IP per line',
  '45.33.32.156',
  '45.33.32.157:hardcoded_ip:2024-05-01T10:00:00',
  '185.220.101.0/24',
  '140.82.121.4            # GitHub: whitelisted by CIDR',
  '9.9.9.9:hardcoded_ip:1714557600',
  '[2a01:4f8::1]:hardcoded_ip:2024-05-01T10:00:00',
  '10.1.2.3',
  'not an address',
  '',
].join('\n');

const FAIL2BAN = [
  '2024-05-01 10:00:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 45.33.32.156',
  '2024-05-01 10:00:05,123 fail2ban.actions        [812]: NOTICE  [traefik-auth] Ban 45.33.32.156',
  '2024-05-01 10:01:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 193.32.162.10',
  '2024-05-01 10:02:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 149.112.112.112',
  '2024-05-01 11:00:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Unban 193.32.162.11',
  '',
].join('\n');

const RDAP = {
  '45.33.32.156': { name: 'LINODE-US', org: 'Akamai Technologies, Inc.', country: 'US', abuseEmail: 'abuse@akamai.com', abusePhone: '+1-609-380-7100', remarks: ['Linode'] },
  '45.33.32.157': { name: 'LINODE-US', org: 'Akamai Technologies, Inc.', country: 'US', abuseEmail: 'abuse@akamai.com' },
  '45.33.99.1': { name: 'LINODE-US', org: 'Akamai Technologies, Inc.', country: 'US' },
  '185.220.101.0/24': { name: 'TOR-EXIT', country: 'DE', abuseEmail: 'abuse@tor.example' },
  '193.32.162.10': { name: 'MIVOCLOUD', org: 'MivoCloud SRL', country: 'MD', abuseEmail: 'abuse@mivocloud.com' },
  '2a01:4f8::1': { name: 'HETZNER', org: 'Hetzner Online GmbH', country: 'DE', orgEmail: 'abuse@hetzner.com' },
};

const REPORTS = {
  '45.33.32.156': { abuseConfidenceScore: 100, totalReports: 532, usageType: 'Data Center/Web Hosting/Transit', lastReportedAt: '2024-05-01T09:00:00+00:00' },
  '193.32.162.10': { abuseConfidenceScore: 87, totalReports: 41, usageType: 'Data Center/Web Hosting/Transit', isTor: true, lastReportedAt: '2024-04-30T12:00:00+00:00' },
};

const row = (fields: Partial<Row>): Record<string, string> => ({
  ip: '', domain: '', subnet: '', org_name: '', country: '', abuse_score: '', total_reports: '', usage_type: '', is_tor: '',
  last_reported: '', emails: '', phone: '', description: '', reported_to_abuseipdb: '', source: '', jail: '',
  geo_country: '', geo_city: '', geo_latitude: '', geo_longitude: '', ...fields,
});

const EXPECTED = [
  row({ ip: '10.1.2.3', domain: '(no reverse DNS)', org_name: 'Private/Reserved IP', source: 'blacklist' }),
  row({
    ip: '45.33.32.156', domain: 'scanme.nmap.org', subnet: '45.33.0.0/16', org_name: 'Akamai Technologies, Inc.', country: 'US',
    abuse_score: '100', total_reports: '532', usage_type: 'Data Center/Web Hosting/Transit', last_reported: '2024-05-01T09:00:00+00:00',
    emails: 'abuse@akamai.com', phone: "'+1-609-380-7100", description: 'Linode', source: 'blacklist fail2ban', jail: 'sshd traefik-auth',
  }),
  row({
    ip: '45.33.32.157', domain: '(no reverse DNS)', subnet: '45.33.0.0/16', org_name: 'Akamai Technologies, Inc.', country: 'US',
    abuse_score: '0', total_reports: '0', emails: 'abuse@akamai.com', source: 'blacklist',
  }),
  row({ ip: '185.220.101.0/24', org_name: 'TOR-EXIT', country: 'DE', emails: 'abuse@tor.example', source: 'blacklist' }),
  row({
    ip: '193.32.162.10', domain: 'hosted-by.mivocloud.example', org_name: 'MivoCloud SRL', country: 'MD', abuse_score: '87', total_reports: '41',
    usage_type: 'Data Center/Web Hosting/Transit', is_tor: 'Yes', last_reported: '2024-04-30T12:00:00+00:00', emails: 'abuse@mivocloud.com',
    source: 'fail2ban', jail: 'sshd',
  }),
  row({
    ip: '2a01:4f8::1', domain: 'static.1.clients.your-server.de', org_name: 'Hetzner Online GmbH', country: 'DE', abuse_score: '0',
    total_reports: '0', emails: 'abuse@hetzner.com', source: 'blacklist',
  }),
];

describe('threat-report pipeline', () => {
  let stack: ThreatStack;
  let environ: Record<string, string>;

  before(async () => {
    stack = await startThreatStack(BLACKLIST, {
      dns: { ptr: { '45.33.32.156': 'scanme.nmap.org', '193.32.162.10': 'hosted-by.mivocloud.example', '2a01:4f8::1': 'static.1.clients.your-server.de', '140.82.121.4': 'lb-140-82-121-4-fra.github.com' } },
      rdap: { records: RDAP },
      abuseipdb: { reports: REPORTS },
    });
    await mkdir(join(stack.root, 'logs'));
    await writeFile(join(stack.root, 'logs', 'fail2ban.log'), FAIL2BAN);
    await writeFile(join(stack.root, 'whitelist.txt'), '# resolvers\n9.9.9.9   # Quad9\n149.112.112.112\n');
    environ = {
      ...stack.environ,
      THREAT_BLACKLIST: 'data/blacklist/blacklist-outbound-ips.txt',
      THREAT_FAIL2BAN_LOG: 'logs/fail2ban.log',
      THREAT_WHITELIST: '140.82.112.0/20, whitelist.txt',
    };
  });
  after(() => stack.close());

  it('writes the expected rows, with itsUP columns then source and jail, through the runner', async () => {
    const started = new Date().toISOString();
    const { run, steps } = await runThreatReport(stack.root, environ);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual({ pipeline: run.pipeline, project: run.project }, { pipeline: 'threat-report', project: '*' });
    assert.deepEqual(steps.map((s) => [s.name, s.status]), [['threat-sources', 'succeeded'], ['threat-lookup', 'succeeded'], ['threat-geoip', 'succeeded'], ['threat-write', 'succeeded']]);
    assert.deepEqual(await readRowsUntimed(stack.report), EXPECTED);
    for (const r of await readRows(stack.report)) {
      assert.ok(r['first_seen']! >= started && r['first_seen'] === r['last_updated'], `timestamps of ${r['ip']}`);
    }
    assert.deepEqual(
      stack.abuseipdb.requests.map((r) => new URL(r.url, 'http://x').searchParams.get('ipAddress')).sort(),
      ['193.32.162.10', '2a01:4f8::1', '45.33.32.156', '45.33.32.157'],
      'AbuseIPDB: single public addresses only',
    );
  });

  it('never looks up or reports whitelisted addresses', async () => {
    const looked = [...stack.dns.queries, ...stack.rdap.requests.map((r) => r.url), ...stack.abuseipdb.requests.map((r) => r.url)].join(' ');
    for (const ip of ['140.82.121.4', '9.9.9.9', '149.112.112.112']) assert.ok(!looked.includes(ip), `${ip} was looked up`);
    const text = await readFile(stack.report, 'utf8');
    for (const ip of ['140.82.121.4', '9.9.9.9', '149.112.112.112']) assert.ok(!text.includes(ip), `${ip} is in the report`);
  });

  it('looks up only new IPs on the next run, drops IPs no longer blacklisted, and keeps what the operator wrote', async () => {
    const rows = await readRows(stack.report);
    const before = { dns: stack.dns.queries.length, rdap: stack.rdap.requests.length, abuse: stack.abuseipdb.requests.length };
    const first = rows.find((r) => r['ip'] === '45.33.32.156')!;
    first['reported_to_abuseipdb'] = 'yes';
    await writeFile(stack.report, formatCsv(rows as unknown as Row[]));
    await writeBlacklist(stack.root, BLACKLIST.replace('45.33.32.157:hardcoded_ip:2024-05-01T10:00:00\n', '').replace('10.1.2.3\n', '10.1.2.3\n45.33.99.1\n'));

    const { run } = await runThreatReport(stack.root, environ);
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    assert.deepEqual(stack.dns.queries.slice(before.dns), ['45.33.99.1']);
    assert.deepEqual(stack.rdap.requests.slice(before.rdap).map((r) => r.url), ['/ip/45.33.99.1']);
    assert.deepEqual(stack.abuseipdb.requests.slice(before.abuse).map((r) => r.url), ['/check?ipAddress=45.33.99.1&maxAgeInDays=90']);
    const after = await readRows(stack.report);
    assert.deepEqual(after.map((r) => r['ip']), ['10.1.2.3', '45.33.32.156', '45.33.99.1', '185.220.101.0/24', '193.32.162.10', '2a01:4f8::1']);
    const again = after.find((r) => r['ip'] === '45.33.32.156')!;
    assert.equal(again['first_seen'], first['first_seen']);
    assert.ok(again['last_updated']! > first['last_updated']!);
    assert.equal(again['reported_to_abuseipdb'], 'yes');
    assert.equal(again['subnet'], '45.33.0.0/16', 'subnets are recomputed: .157 left, .99.1 came');
    assert.equal(after.find((r) => r['ip'] === '45.33.99.1')!['subnet'], '45.33.0.0/16');
  });

  it('drops a reported address once it is whitelisted, without looking anything up', async () => {
    const before = stack.abuseipdb.requests.length + stack.rdap.requests.length + stack.dns.queries.length;
    await appendFile(join(stack.root, 'whitelist.txt'), '193.32.162.0/24\n');
    const { run } = await runThreatReport(stack.root, environ);
    assert.equal(run.status, 'succeeded');
    assert.equal(stack.abuseipdb.requests.length + stack.rdap.requests.length + stack.dns.queries.length, before);
    assert.ok(!(await readRows(stack.report)).some((r) => r['ip'] === '193.32.162.10'));
  });
});

describe('threat-report against a hostile PTR', () => {
  it('neutralises formulas, line breaks and ANSI escapes in the CSV', async () => {
    const stack = await startThreatStack('45.33.32.1\n45.33.32.2\n45.33.32.3\n', {
      dns: { ptr: { '45.33.32.1': "=cmd|' /C calc'!A0.evil.example", '45.33.32.2': 'line\nbreak.evil.example', '45.33.32.3': '\u001b[31mred\u001b[0m\rfox.evil.example' } },
    });
    try {
      const { run } = await runThreatReport(stack.root, stack.environ);
      assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
      const text = await readFile(stack.report, 'utf8');
      assert.ok(!text.includes('\u001b'), 'no escape character');
      assert.equal(text.split('\r\n').length, 5, 'header, three rows, final line end: no line break inside a row');
      assert.ok(!/[\u0000-\u0009\u000b\u000c\u000e-\u001f]/.test(text), 'no control character besides the line ends');
      assert.deepEqual((await readRows(stack.report)).map((r) => r['domain']), [
        "'=cmd|' /C calc'!A0.evil.example",
        'linebreak.evil.example',
        'redfox.evil.example',
      ]);
    } finally {
      await stack.close();
    }
  });
});
