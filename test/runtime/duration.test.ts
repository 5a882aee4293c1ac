import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../runtime/duration.ts';

describe('parseDuration', () => {
  it('reads compose durations in milliseconds', () => {
    assert.equal(parseDuration('10s'), 10_000);
    assert.equal(parseDuration('1m30s'), 90_000);
    assert.equal(parseDuration('500ms'), 500);
    assert.equal(parseDuration('1h'), 3_600_000);
    assert.equal(parseDuration('1.5s'), 1500);
    assert.equal(parseDuration('3'), 3000);
    assert.equal(parseDuration(2), 2000);
  });

  it('rejects garbage with a TypeError', () => {
    assert.throws(() => parseDuration('10 parsecs'), TypeError);
    assert.throws(() => parseDuration(''), TypeError);
    assert.throws(() => parseDuration('5x'), TypeError);
  });
});
