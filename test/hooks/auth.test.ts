import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage } from 'node:http';
import { keyMatches, providedApiKey } from '../../hooks/auth.ts';

const req = (headers: Record<string, string>) => ({ headers }) as unknown as IncomingMessage;

describe('providedApiKey', () => {
  it('reads Bearer, then X-API-KEY, then ?apikey=', () => {
    assert.equal(providedApiKey(req({ authorization: 'Bearer k1' }), new URLSearchParams('apikey=k3')), 'k1');
    assert.equal(providedApiKey(req({ authorization: 'bearer   k1 ' }), new URLSearchParams()), 'k1');
    assert.equal(providedApiKey(req({ 'x-api-key': 'k2' }), new URLSearchParams('apikey=k3')), 'k2');
    assert.equal(providedApiKey(req({}), new URLSearchParams('apikey=k3')), 'k3');
    assert.equal(providedApiKey(req({}), new URLSearchParams()), undefined);
  });

  it('gives an empty string for empty or non-Bearer credentials (they are refused, not skipped)', () => {
    assert.equal(providedApiKey(req({ authorization: 'Basic abc' }), new URLSearchParams('apikey=k3')), '');
    assert.equal(providedApiKey(req({ 'x-api-key': '' }), new URLSearchParams()), '');
    assert.equal(providedApiKey(req({}), new URLSearchParams('apikey=')), '');
  });
});

describe('keyMatches', () => {
  it('matches the exact key only; empty never matches', () => {
    assert.equal(keyMatches('secret-key', 'secret-key'), true);
    for (const wrong of ['', 'secret-ke', 'secret-key ', 'SECRET-KEY', 'x'.repeat(1000)]) assert.equal(keyMatches('secret-key', wrong), false, wrong);
  });
});
