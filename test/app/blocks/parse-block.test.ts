import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseBlockRequest } from '../../../app/blocks/parse-block.ts';
import { checkProtected } from '../../../app/blocks/protected.ts';
import { isRailyardError } from '../../../core/errors.ts';
import { parseTarget } from '../../../steps/threat-report/ip.ts';

const LIMITS = { minPrefixV4: 16, minPrefixV6: 32 };
const parse = (family: 4 | 6, ip: string, query = '') => parseBlockRequest(family, ip, new URLSearchParams(query), LIMITS);
const refusal = (fn: () => unknown): string => {
  try {
    fn();
  } catch (error) {
    assert.ok(isRailyardError(error) && error.code === 'BLOCK_REFUSED', String(error));
    return error.userMessage;
  }
  return assert.fail('not refused');
};

describe('parse-block', () => {
  it('takes addresses and CIDRs in canonical form, with reason, ttl, port and proto', () => {
    assert.deepEqual(parse(4, '192.0.2.7', 'reason=ssh&ttl=1h&port=22').key, { target: '192.0.2.7', family: 4, proto: 'tcp', port: 22 });
    assert.equal(parse(4, '192.0.2.7', 'ttl=1h').ttlSeconds, 3600);
    assert.equal(parse(4, '192.0.2.7', 'ttl=-1').ttlSeconds, undefined, "fail2ban's permanent bantime");
    assert.equal(parse(4, '198.51.100.77/24').key.target, '198.51.100.0/24');
    assert.equal(parse(6, '2001:DB8:0:0::1').key.target, '2001:db8::1');
    assert.equal(parse(4, '192.0.2.7', 'port=53&proto=UDP').key.proto, 'udp');
  });

  it('refuses what is not an address of the family, with the reason', () => {
    assert.match(refusal(() => parse(4, '1.2.3.4; rm -rf /')), /not an IPv4 address/);
    assert.match(refusal(() => parse(4, '0.0.0.0/0')), /every address/);
    assert.match(refusal(() => parse(4, '10.0.0.0/8')), /wider than \/16/);
    assert.match(refusal(() => parse(6, '::/0')), /every address/);
    assert.match(refusal(() => parse(6, 'fe80::1%eth0')), /zone id/);
    assert.match(refusal(() => parse(6, '::ffff:1.2.3.4')), /IPv4-mapped/);
    assert.match(refusal(() => parse(6, '::ffff:0:0/96')), /IPv4-mapped/);
    assert.match(refusal(() => parse(4, '2001:db8::1')), /use \/api\/blocks\/ipv6/);
    assert.match(refusal(() => parse(4, '1'.repeat(300))), /not an IPv4/);
    assert.match(refusal(() => parse(4, '1.2.3.4/33')), /not an IPv4/);
    assert.match(refusal(() => parse(4, '1.2.3.4', 'ttl=0')), /ttl/);
    assert.match(refusal(() => parse(4, '1.2.3.4', 'port=0')), /port/);
    assert.match(refusal(() => parse(4, '1.2.3.4', 'proto=icmp&port=1')), /proto/);
    assert.match(refusal(() => parse(4, '1.2.3.4', 'proto=tcp')), /proto needs a port/);
    assert.match(refusal(() => parse(4, '1.2.3.4', 'reason=a%0Ab')), /control characters/);
  });

  it('refuses a block that covers a protected range', () => {
    const ranges = [{ range: parseTarget('10.8.0.0/24')!, why: 'in HOOK_ALLOWED_CIDRS' }];
    assert.match(refusal(() => checkProtected(parseTarget('10.8.0.5')!, ranges)), /10\.8\.0\.0\/24: in HOOK_ALLOWED_CIDRS/);
    assert.match(refusal(() => checkProtected(parseTarget('10.8.0.0/16')!, ranges)), /HOOK_ALLOWED_CIDRS/, 'a wider network that holds it');
    assert.doesNotThrow(() => checkProtected(parseTarget('10.9.0.5')!, ranges));
  });
});
