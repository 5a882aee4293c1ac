import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { COLUMNS, csvCell, emptyRow, formatCsv, parseCsv } from '../../../steps/threat-report/csv.ts';

describe('csv', () => {
  it("writes itsUP's columns in itsUP's order, then source and jail, then the GeoIP columns, with CRLF line ends", () => {
    const [header] = formatCsv([]).split('\r\n');
    assert.equal(
      header,
      'ip,domain,subnet,org_name,country,abuse_score,total_reports,usage_type,is_tor,last_reported,emails,phone,description,first_seen,last_updated,reported_to_abuseipdb,source,jail,geo_country,geo_city,geo_latitude,geo_longitude',
    );
  });

  it('escapes cells a spreadsheet would run as formulas, and leaves an escaped cell as it is', () => {
    assert.equal(csvCell("=cmd|' /C calc'!A0"), "'=cmd|' /C calc'!A0");
    assert.equal(csvCell('+31 20 123'), "'+31 20 123");
    assert.equal(csvCell('-1+1'), "'-1+1");
    assert.equal(csvCell('@SUM(A1)'), "'@SUM(A1)");
    assert.equal(csvCell('\t=1'), "'\t=1");
    assert.equal(csvCell("'+31 20 123"), "'+31 20 123");
    assert.equal(csvCell('example.com'), 'example.com');
  });

  it('quotes cells with commas, quotes and line breaks, and reads them back', () => {
    const row = { ...emptyRow(), ip: '45.33.32.156', org_name: 'Linode, LLC', description: 'say "hi"\r\nbye', phone: '+1-609-380-7100' };
    const text = formatCsv([row]);
    assert.match(text, /"Linode, LLC"/);
    const [header = [], record = []] = parseCsv(text);
    assert.deepEqual(header, [...COLUMNS]);
    const back = Object.fromEntries(header.map((column, i) => [column, record[i]]));
    assert.equal(back['org_name'], 'Linode, LLC');
    assert.equal(back['description'], 'say "hi"\r\nbye');
    assert.equal(back['phone'], "'+1-609-380-7100");
    assert.equal(formatCsv([{ ...row, ...back }]), text, 'a second write changes nothing');
  });

  it('reads LF files and a last line without a line end', () => {
    assert.deepEqual(parseCsv('ip,domain\n1.2.3.4,a\n5.6.7.8,"b\nc"'), [['ip', 'domain'], ['1.2.3.4', 'a'], ['5.6.7.8', 'b\nc']]);
  });
});
