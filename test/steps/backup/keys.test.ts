import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { dateOf, generationKey, parseGenerationKey, stagingDate, stagingKey, stampOf } from '../../../steps/backup/keys.ts';

describe('backup keys', () => {
  it('names generations <prefix>.<YYYYMMDDHHMMSS> in UTC, and parses them back', () => {
    const date = new Date(Date.UTC(2026, 0, 2, 3, 4, 5));
    assert.equal(generationKey('itsup.tar.gz', date), 'itsup.tar.gz.20260102030405');
    assert.deepEqual(parseGenerationKey('itsup.tar.gz', 'itsup.tar.gz.20260102030405'), {
      key: 'itsup.tar.gz.20260102030405', stamp: '20260102030405', date,
    });
    assert.equal(stampOf(date), '20260102030405');
  });

  it('refuses anything else: other prefixes, staging keys, digest files, impossible dates', () => {
    for (const key of [
      'other.20260102030405', 'itsup.tar.gz.2026010203040', 'itsup.tar.gz.20260102030405.sha256',
      'itsup.tar.gz.20261302030405', 'itsup.tar.gz.20260230000000', 'itsup.tar.gz.staging.20260102030405.ab12cd34',
    ]) {
      assert.equal(parseGenerationKey('itsup.tar.gz', key), undefined, key);
    }
    assert.equal(dateOf('20260231120000'), undefined);
  });

  it('gives staging keys their own namespace, with the start time readable', () => {
    const date = new Date(Date.UTC(2026, 5, 1));
    const key = stagingKey('backups/itsup.tar.gz', date);
    assert.match(key, /^backups\/itsup\.tar\.gz\.staging\.20260601000000\.[0-9a-f]{8}$/);
    assert.equal(parseGenerationKey('backups/itsup.tar.gz', key), undefined);
    assert.deepEqual(stagingDate('backups/itsup.tar.gz', key), date);
    assert.notEqual(stagingKey('p', date), stagingKey('p', date));
  });
});
