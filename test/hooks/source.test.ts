import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { sourceAddress } from '../../hooks/source.ts';

const req = (peer: string, xff?: string) => ({ socket: { remoteAddress: peer }, headers: xff === undefined ? {} : { 'x-forwarded-for': xff } }) as unknown as IncomingMessage;

describe('sourceAddress', () => {
  it('is the peer, IPv4-mapped addresses as IPv4, and X-Forwarded-For is ignored without TRUST_PROXY', () => {
    assert.equal(sourceAddress(req('::ffff:10.8.0.2', '1.2.3.4'), false), '10.8.0.2');
    assert.equal(sourceAddress(req('::1'), false), '::1');
  });

  it('with TRUST_PROXY and a trusted peer, is the first X-Forwarded-For entry from the right that is no trusted proxy; junk falls back', () => {
    const proxies = ['172.17.0.0/16'];
    assert.equal(sourceAddress(req('172.17.0.5', '203.0.113.9, 10.8.0.4'), true, proxies), '10.8.0.4');
    assert.equal(sourceAddress(req('172.17.0.5', '::ffff:10.8.0.4'), true, proxies), '10.8.0.4');
    assert.equal(sourceAddress(req('172.17.0.5', '10.8.0.4, 172.17.0.9'), true, proxies), '10.8.0.4', 'a chain of trusted proxies is skipped');
    assert.equal(sourceAddress(req('172.17.0.5', '10.8.0.4, not-an-ip'), true, proxies), '172.17.0.5');
    assert.equal(sourceAddress(req('172.17.0.5'), true, proxies), '172.17.0.5');
  });

  it('ignores X-Forwarded-For from a peer that is not in TRUSTED_PROXIES (default: loopback)', () => {
    assert.equal(sourceAddress(req('203.0.113.50', '10.8.0.4'), true), '203.0.113.50');
    assert.equal(sourceAddress(req('203.0.113.50', '10.8.0.4'), true, ['172.17.0.0/16']), '203.0.113.50');
    assert.equal(sourceAddress(req('::ffff:127.0.0.1', '10.8.0.4'), true), '10.8.0.4');
    assert.equal(sourceAddress(req('::1', '10.8.0.4'), true), '10.8.0.4');
  });
});
