// GeoIP columns and the NDJSON copy (issue 15), against MaxMind's own test
// databases in ../shared/fixtures/geoip/ (a valid City database and two
// corrupt ones), and blocks of the block API as a source of the report.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { BlockStore } from '../../../pipeline/block-store.ts';
import { RunStore, storePath } from '../../../pipeline/run-store.ts';
import { geoLookup, type GeoColumns } from '../../../steps/threat-report/geoip.ts';
import { parseTarget } from '../../../steps/threat-report/ip.ts';
import { sharedPath, sharedSuiteOptions } from '../../helpers/shared.ts';
import { readRows, runThreatReport, startThreatStack } from '../../helpers/threat-report.ts';

const CITY = 'fixtures/geoip/GeoLite2-City-Test.mmdb';
const CORRUPT = ['fixtures/geoip/GeoIP2-City-Test-Broken-Double-Format.mmdb', 'fixtures/geoip/GeoIP2-City-Test-Invalid-Node-Count.mmdb'];
const targets = (...items: string[]) => items.map((item) => parseTarget(item)!);

describe('threat report GeoIP and NDJSON', sharedSuiteOptions(), () => {
  it('fills country, city and coordinates for known addresses and leaves unknown ones empty', async () => {
    const found = new Map<string, GeoColumns>();
    const warning = await geoLookup(sharedPath(CITY), targets('81.2.69.142', '89.160.20.112', '216.160.83.56', '2001:218::', '1.1.1.1', '175.16.199.0/24'), found);
    assert.equal(warning, undefined);
    assert.deepEqual(found.get('81.2.69.142'), { geo_country: 'GB', geo_city: 'London', geo_latitude: '51.5142', geo_longitude: '-0.0931' });
    assert.deepEqual(found.get('89.160.20.112'), { geo_country: 'SE', geo_city: 'Linköping', geo_latitude: '58.4167', geo_longitude: '15.6167' });
    assert.deepEqual(found.get('216.160.83.56'), { geo_country: 'US', geo_city: 'Milton', geo_latitude: '47.2513', geo_longitude: '-122.3149' });
    assert.equal(found.get('2001:218::')?.geo_country, 'JP');
    assert.equal(found.get('175.16.199.0/24')?.geo_city, 'Changchun', 'a network is looked up by its first address');
    assert.equal(found.has('1.1.1.1'), false);
  });

  for (const file of CORRUPT) {
    it(`warns about a corrupt database (${file.split('/').pop()}) and gives no geo fields`, async () => {
      const found = new Map<string, GeoColumns>();
      const warning = await geoLookup(sharedPath(file), targets('81.2.69.142', '2.125.160.216', '216.160.83.56'), found);
      assert.match(warning ?? '', /corrupt|cannot open/);
      assert.equal(found.size, 0);
    });
  }

  it('a missing database is a warning', async () => {
    const found = new Map<string, GeoColumns>();
    assert.match((await geoLookup('/nonexistent/GeoLite2-City.mmdb', targets('81.2.69.142'), found)) ?? '', /cannot open/);
  });

  it('the pipeline appends the geo columns, writes NDJSON in ECS names, and reports stored blocks', async () => {
    const stack = await startThreatStack('81.2.69.142\n1.1.1.1\n');
    after(() => stack.close());
    const store = RunStore.open(storePath(stack.root));
    new BlockStore(store).report({ target: '89.160.20.112', family: 4, proto: 'tcp', port: 22, reporter: '10.8.0.2', reason: 'ssh', expiresAt: undefined });
    store.close();
    const { run } = await runThreatReport(stack.root, { ...stack.environ, GEOIP_DB: sharedPath(CITY) });
    assert.equal(run.status, 'succeeded', JSON.stringify(run.error));
    const rows = await readRows(stack.report);
    const header = (await readFile(stack.report, 'utf8')).split('\r\n')[0]!;
    assert.ok(header.startsWith('ip,domain,subnet,org_name,country,') && header.endsWith(',source,jail,geo_country,geo_city,geo_latitude,geo_longitude'));
    assert.deepEqual(rows.map((r) => [r['ip'], r['source'], r['geo_country'], r['geo_city']]), [
      ['1.1.1.1', 'blacklist', '', ''],
      ['81.2.69.142', 'blacklist', 'GB', 'London'],
      ['89.160.20.112', 'block', 'SE', 'Linköping'],
    ]);
    const text = await readFile(join(stack.root, 'reports', 'potential_threat_actors.ndjson'), 'utf8');
    assert.ok(text.endsWith('\n'));
    const docs = text.trimEnd().split('\n').map((line) => JSON.parse(line) as Record<string, any>);
    assert.equal(docs.length, 3);
    for (const doc of docs) {
      assert.ok(typeof doc['@timestamp'] === 'string' && typeof doc.source.ip === 'string', JSON.stringify(doc));
      assert.deepEqual(doc.event.category, ['threat']);
    }
    const london = docs.find((d) => d.source.ip === '81.2.69.142')!;
    assert.deepEqual(london.source.geo, { country_iso_code: 'GB', city_name: 'London', location: { lat: 51.5142, lon: -0.0931 } });
    assert.equal(london.threat.indicator.type, 'ipv4-addr');
    assert.equal(docs.find((d) => d.source.ip === '1.1.1.1')!.source.geo, undefined, 'unknown: no geo object at all');
    assert.deepEqual(docs.find((d) => d.source.ip === '89.160.20.112')!.tags, ['block']);
  });

  it('a corrupt GEOIP_DB still completes the report, with empty geo columns', async () => {
    const stack = await startThreatStack('81.2.69.142\n');
    after(() => stack.close());
    const { run } = await runThreatReport(stack.root, { ...stack.environ, GEOIP_DB: sharedPath(CORRUPT[0]!) });
    assert.equal(run.status, 'succeeded');
    assert.deepEqual((await readRows(stack.report)).map((r) => r['geo_country']), ['']);
  });
});
