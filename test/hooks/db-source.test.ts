import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { DbSource } from '../../hooks/db-source.ts';
import { isRailyardError } from '../../core/errors.ts';
import { TEST_DB } from '../helpers/hook-server.ts';
import { lineSink, tempRoot } from '../helpers/runner.ts';
import { createLogger } from '../../core/logger.ts';

describe('DbSource', () => {
  it('re-reads db.yml when it changes on disk, and keeps the last valid config when the new one is broken', async () => {
    const root = await tempRoot('railyard-db-source-');
    const path = join(root, 'db.yml');
    const { stream, lines } = lineSink();
    const source = new DbSource({ path, label: 'db.yml' }, {}, createLogger({ destination: stream, pretty: false }));
    await assert.rejects(source.current(), (error) => isRailyardError(error, 'CONFIG_NOT_FOUND'), 'nothing loaded yet');
    await writeFile(path, TEST_DB);
    assert.deepEqual((await source.current()).projects.map((p) => p.name), ['alpha', 'beta']);
    await writeFile(path, 'projects: [\n');
    assert.deepEqual((await source.current()).projects.map((p) => p.name), ['alpha', 'beta'], 'the broken file is not taken');
    assert.equal(lines.filter((l) => l.includes('db.yml is invalid')).length, 1);
    await source.current();
    assert.equal(lines.filter((l) => l.includes('db.yml is invalid')).length, 1, 'logged once per version of the file');
    assert.equal((await source.refresh())?.code, 'CONFIG_INVALID');
    await rm(path);
    assert.deepEqual((await source.current()).projects.map((p) => p.name), ['alpha', 'beta'], 'nor is a deleted one');
    await writeFile(path, 'projects:\n  - name: gamma\n    services: []\n');
    assert.deepEqual((await source.current()).projects.map((p) => p.name), ['gamma']);
    assert.equal(await source.refresh(), undefined);
  });
});
