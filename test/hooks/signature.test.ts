import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { signatureMatches } from '../../hooks/signature.ts';

describe('signatureMatches', () => {
  const secret = "It's a Secret to Everybody";
  const body = Buffer.from('Hello, World!');

  it("accepts GitHub's published test vector", () => {
    assert.ok(signatureMatches(secret, body, 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17'));
  });

  it('accepts what sign() makes, over the raw bytes (not a re-encoded string)', async () => {
    assert.ok(signatureMatches('s3cret', Buffer.from('{"a":1}'), await sign('s3cret', '{"a":1}')));
    const raw = Buffer.from([0x7b, 0xff, 0xfe, 0x7d]); // not UTF-8: decoding would change the bytes
    assert.ok(signatureMatches('s3cret', raw, `sha256=${createHmac('sha256', 's3cret').update(raw).digest('hex')}`));
  });

  it('refuses missing, malformed, sha1, wrong-length and wrong signatures without throwing', () => {
    const good = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
    for (const header of [
      undefined, '', 'sha256=', good.slice(0, -2), `${good}00`, good.toUpperCase(), `sha1=${createHmac('sha1', secret).update(body).digest('hex')}`,
      `sha256=${createHmac('sha256', 'other').update(body).digest('hex')}`, ['a', 'b'], `sha256=${'g'.repeat(64)}`,
    ]) {
      assert.equal(signatureMatches(secret, body, header), false, String(header));
    }
  });
});
