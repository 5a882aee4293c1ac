import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseListLine } from '../../../steps/threat-report/list-line.ts';

const key = (line: string): string | null | undefined => {
  const target = parseListLine(line);
  return target === null || target === undefined ? target : target.key;
};

describe('parseListLine', () => {
  it('reads plain IPs and CIDRs, IPv4 and IPv6, with comments and blanks around them', () => {
    assert.equal(key('45.33.32.156'), '45.33.32.156');
    assert.equal(key('  45.33.32.156  # scanner'), '45.33.32.156');
    assert.equal(key('185.220.101.0/24'), '185.220.101.0/24');
    assert.equal(key('2a01:4f8:c17:1::1'), '2a01:4f8:c17:1::1');
    assert.equal(key('2a01:4f8::/32 # hetzner'), '2a01:4f8::/32');
    assert.equal(key('45.33.32.156 hardcoded ip'), '45.33.32.156');
  });

  it('returns null for blank and comment lines', () => {
    for (const line of ['', '   ', '# Outbound blacklist - one IP per line', '\t# x']) assert.equal(key(line), null);
  });

  it("reads the container monitor's IP:reason:timestamp lines", () => {
    assert.equal(key('45.33.32.156:hardcoded_ip:2024-05-01T10:00:00'), '45.33.32.156');
    assert.equal(key('45.33.32.156:no-dns:1714557600'), '45.33.32.156');
    assert.equal(key('[2a01:4f8::1]:hardcoded_ip:2024-05-01T10:00:00'), '2a01:4f8::1');
    assert.equal(key('[2a01:4f8::]/32:hardcoded_ip:1714557600'), '2a01:4f8::/32');
    assert.equal(key('2a01:4f8::1:hardcoded_ip:2024-05-01T10:00:00'), '2a01:4f8::1');
  });

  it('returns undefined for lines it does not understand', () => {
    for (const line of ['not-an-ip', '999.1.1.1', 'example.com:reason:1', '[2a01:4f8::1', '[nope]:x']) assert.equal(key(line), undefined, line);
  });
});
