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

  it('with TRUST_PROXY, is the last X-Forwarded-For entry; a junk entry falls back to the peer', () => {
    assert.equal(sourceAddress(req('172.17.0.5', '203.0.113.9, 10.8.0.4'), true), '10.8.0.4');
    assert.equal(sourceAddress(req('172.17.0.5', '::ffff:10.8.0.4'), true), '10.8.0.4');
    assert.equal(sourceAddress(req('172.17.0.5', '10.8.0.4, not-an-ip'), true), '172.17.0.5');
    assert.equal(sourceAddress(req('172.17.0.5'), true), '172.17.0.5');
  });
});
