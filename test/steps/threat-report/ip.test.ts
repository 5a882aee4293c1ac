import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compareTargets, contains, groupOf, isReserved, isSingle, overlaps, parseTarget } from '../../../steps/threat-report/ip.ts';

const t = (text: string) => {
  const target = parseTarget(text);
  assert.ok(target, `${text} should parse`);
  return target;
};

describe('parseTarget', () => {
  it('gives IPv4 and IPv6 addresses a canonical key (RFC 5952 for IPv6)', () => {
    assert.equal(t('45.33.32.156').key, '45.33.32.156');
    assert.equal(t('2001:0DB8:0000:0000:0000:0000:0000:0001').key, '2001:db8::1');
    assert.equal(t('2620:fe:0:0:0:0:0:fe').key, '2620:fe::fe');
    assert.equal(t('::ffff:1.2.3.4').key, '::ffff:1.2.3.4');
    assert.equal(t('1:0:0:1:0:0:0:1').key, '1:0:0:1::1', 'the longest zero run is compressed');
    assert.equal(isSingle(t('45.33.32.156')), true);
  });

  it('reads CIDRs, clearing host bits; a full-length prefix is a single address', () => {
    assert.equal(t('140.82.121.4/20').key, '140.82.112.0/20');
    assert.equal(t('2a01:4f8:1c1c::1/48').key, '2a01:4f8:1c1c::/48');
    assert.equal(t('9.9.9.9/32').key, '9.9.9.9');
    assert.equal(isSingle(t('9.9.9.0/24')), false);
  });

  it('refuses what is not an address', () => {
    for (const bad of ['', '1.2.3', '256.1.1.1', '1.2.3.4/33', '::1/129', 'fe80::1%eth0', 'example.com', '1.2.3.4/8/1', '1.2.3.4/x']) {
      assert.equal(parseTarget(bad), undefined, bad);
    }
  });
});

describe('ranges', () => {
  it('contains and overlaps, per IP version', () => {
    assert.equal(contains(t('140.82.112.0/20'), t('140.82.121.4')), true);
    assert.equal(contains(t('140.82.121.4'), t('140.82.112.0/20')), false);
    assert.equal(overlaps(t('140.82.121.4'), t('140.82.112.0/20')), true);
    assert.equal(contains(t('0.0.0.0/0'), t('::1')), false);
    assert.equal(contains(t('2620:fe::/48'), t('2620:fe::fe')), true);
  });

  it('sorts IPv4 before IPv6, numerically, wider networks first', () => {
    const sorted = ['2001:db8::1', '10.0.0.2', '9.9.9.9', '10.0.0.0/24', '10.0.0.10'].map(t).sort(compareTargets).map((x) => x.key);
    assert.deepEqual(sorted, ['9.9.9.9', '10.0.0.0/24', '10.0.0.2', '10.0.0.10', '2001:db8::1']);
  });

  it('groups IPv4 by /16 and IPv6 by /48; wider networks have no group', () => {
    assert.equal(groupOf(t('45.33.32.156')), '45.33.0.0/16');
    assert.equal(groupOf(t('45.33.32.0/24')), '45.33.0.0/16');
    assert.equal(groupOf(t('45.0.0.0/8')), undefined);
    assert.equal(groupOf(t('2a01:4f8:1c1c:9a::1')), '2a01:4f8:1c1c::/48');
  });

  it('knows the reserved ranges', () => {
    for (const ip of ['10.1.2.3', '192.168.1.1', '127.0.0.1', '100.64.0.1', '169.254.1.1', '224.0.0.1', '::1', 'fd00::1', 'fe80::1', '2001:db8::1']) {
      assert.equal(isReserved(t(ip)), true, ip);
    }
    for (const ip of ['45.33.32.156', '9.9.9.9', '2620:fe::fe', '11.0.0.0/8']) assert.equal(isReserved(t(ip)), false, ip);
    assert.equal(isReserved(t('8.0.0.0/6')), true, 'a network overlapping 10/8 is reserved too');
  });
});
