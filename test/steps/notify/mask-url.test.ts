import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { maskUrl } from '../../../steps/notify/mask-url.ts';

describe('maskUrl', () => {
  it('keeps the scheme, host and a leading path segment; hides tokens in the path, query and user info', () => {
    const cases: [string, string][] = [
      ['https://hooks.slack.com/services/T000/B000/XXXXXXXXXXXX', 'https://hooks.slack.com/services/***'],
      ['https://ntfy.sh/my-secret-topic', 'https://ntfy.sh/***'],
      ['https://example.com/hook?token=abc123', 'https://example.com/***'],
      ['https://user:pass@example.com:8443/a/b', 'https://***@example.com:8443/a/***'],
      ['http://127.0.0.1:9000/', 'http://127.0.0.1:9000/'],
      ['not a url', '***'],
    ];
    for (const [url, masked] of cases) assert.equal(maskUrl(url), masked, url);
  });
});
