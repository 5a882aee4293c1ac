import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { createLogger } from '../../core/logger.ts';

function capture(): { stream: Writable; lines: string[] } {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { stream, lines };
}

describe('logger', () => {
  const secret = 'sup3r-s3cret-api-key';

  it('never writes secrets, apikey= values, bearer tokens or URL credentials', () => {
    const { stream, lines } = capture();
    const log = createLogger({ destination: stream, secrets: [secret], pretty: false });
    log.info({ url: '/update-upstream?project=a&apikey=abc123xyz', apiKey: 'x', headers: { authorization: 'Bearer tok' } }, 'request');
    log.error({ err: new Error(`clone of https://user:${secret}@git.example.com/r.git failed`) }, 'step failed');
    log.warn({ nested: { token: 'gh-token-value' }, note: `key is ${secret}` }, 'note');
    log.info({ header: 'Authorization: Bearer abcdefgh' }, 'raw header');
    const text = lines.join('');
    for (const leaked of [secret, 'abc123xyz', 'gh-token-value', 'abcdefgh', 'Bearer tok']) {
      assert.ok(!text.includes(leaked), `leaked ${leaked}: ${text}`);
    }
    assert.equal(lines.length, 4);
    assert.match(text, /\[redacted\]/);
  });

  it('honours the level', () => {
    const { stream, lines } = capture();
    const log = createLogger({ destination: stream, level: 'warn', pretty: false });
    log.info('hidden');
    log.warn('shown');
    assert.equal(lines.length, 1);
  });

  it('writes human-readable lines when asked to be pretty', () => {
    const { stream, lines } = capture();
    createLogger({ destination: stream, pretty: true, secrets: [secret] }).info({ key: secret }, 'hello');
    const text = lines.join('');
    assert.match(text, /hello/);
    assert.ok(!text.trimStart().startsWith('{'));
    assert.ok(!text.includes(secret));
  });
});
