import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { AuthLimiter } from '../../hooks/rate-limit.ts';

describe('AuthLimiter', () => {
  it('lets a source fail `failures` times, then asks it to wait until a token is back', () => {
    const limiter = new AuthLimiter({ failures: 3, windowMs: 60_000 });
    for (let i = 0; i < 3; i += 1) {
      assert.equal(limiter.retryAfter('10.8.0.2', 0), 0);
      limiter.fail('10.8.0.2', 0);
    }
    assert.equal(limiter.retryAfter('10.8.0.2', 0), 20, 'one token per 20 s');
    assert.equal(limiter.retryAfter('10.8.0.3', 0), 0, 'other sources are not affected');
    assert.equal(limiter.retryAfter('10.8.0.2', 15_000), 5);
    assert.equal(limiter.retryAfter('10.8.0.2', 20_000), 0);
    limiter.fail('10.8.0.2', 20_000);
    assert.equal(limiter.retryAfter('10.8.0.2', 20_000), 20);
  });

  it('remembers a bounded number of sources', () => {
    const limiter = new AuthLimiter({ failures: 1, maxSources: 100 });
    for (let i = 0; i < 1000; i += 1) limiter.fail(`10.0.${i >> 8}.${i & 255}`, 0);
    assert.equal(limiter.retryAfter('10.0.3.231', 0) > 0, true, 'the newest is remembered');
    assert.equal(limiter.retryAfter('10.0.0.0', 0), 0, 'the oldest was forgotten');
  });
});
