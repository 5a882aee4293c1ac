import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { readRows, runThreatReport, startThreatStack } from '../../helpers/threat-report.ts';

describe('threat-sources', () => {
  it('fails with THREAT_SOURCE_UNREADABLE when the blacklist is missing, leaving the report untouched', async () => {
    const stack = await startThreatStack('45.33.32.1\n');
    try {
      assert.equal((await runThreatReport(stack.root, stack.environ)).run.status, 'succeeded');
      const before = await readFile(stack.report, 'utf8');
      await rm(join(stack.root, 'data', 'blacklist'), { recursive: true });
      const { run } = await runThreatReport(stack.root, stack.environ);
      assert.deepEqual({ status: run.status, step: run.error?.step, code: run.error?.code }, { status: 'failed', step: 'threat-sources', code: 'THREAT_SOURCE_UNREADABLE' });
      assert.equal(await readFile(stack.report, 'utf8'), before);
    } finally {
      await stack.close();
    }
  });

  it('fails with THREAT_WHITELIST_INVALID on a whitelist entry it cannot read', async () => {
    const stack = await startThreatStack('45.33.32.1\n');
    try {
      await writeFile(join(stack.root, 'white.txt'), '9.9.9.9\n9.9.9.999\n');
      for (const whitelist of ['white.txt', '9.9.9.9/40']) {
        const { run } = await runThreatReport(stack.root, { ...stack.environ, THREAT_WHITELIST: whitelist });
        assert.deepEqual({ step: run.error?.step, code: run.error?.code }, { step: 'threat-sources', code: 'THREAT_WHITELIST_INVALID' }, whitelist);
      }
    } finally {
      await stack.close();
    }
  });

  it("reads itsUP's whitelist file by default, several blacklists, and rotated (gzipped) fail2ban logs", async () => {
    const stack = await startThreatStack('45.33.32.1\n9.9.9.9\n');
    try {
      await mkdir(join(stack.root, 'data', 'whitelist'), { recursive: true });
      await writeFile(join(stack.root, 'data', 'whitelist', 'whitelist-outbound-ips.txt'), '9.9.9.9 # Quad9\n');
      assert.equal((await runThreatReport(stack.root, stack.environ)).run.status, 'succeeded');
      assert.deepEqual((await readRows(stack.report)).map((r) => r['ip']), ['45.33.32.1']);

      await writeFile(join(stack.root, 'extra.txt'), '45.33.32.2:hardcoded_ip:1714557600\n');
      await writeFile(join(stack.root, 'f2b.log.1.gz'), gzipSync('2024-05-01 10:00:00,123 fail2ban.actions [1]: NOTICE  [recidive] Ban 45.33.32.3\n'));
      const environ = {
        ...stack.environ,
        THREAT_BLACKLIST: 'data/blacklist/blacklist-outbound-ips.txt extra.txt',
        THREAT_FAIL2BAN_LOG: 'f2b.log.1.gz',
      };
      assert.equal((await runThreatReport(stack.root, environ)).run.status, 'succeeded');
      const rows = await readRows(stack.report);
      assert.deepEqual(rows.map((r) => [r['ip'], r['source'], r['jail']]), [
        ['45.33.32.1', 'blacklist', ''],
        ['45.33.32.2', 'blacklist', ''],
        ['45.33.32.3', 'fail2ban', 'recidive'],
      ]);
    } finally {
      await stack.close();
    }
  });

  it('refuses to overwrite a file that is not a threat report', async () => {
    const stack = await startThreatStack('45.33.32.1\n');
    try {
      await mkdir(join(stack.root, 'reports'));
      for (const content of ['name,price\nwidget,3\n', 'name,price\n']) {
        await writeFile(stack.report, content);
        const { run } = await runThreatReport(stack.root, stack.environ);
        assert.deepEqual({ step: run.error?.step, code: run.error?.code }, { step: 'threat-lookup', code: 'THREAT_SOURCE_UNREADABLE' });
        assert.equal(await readFile(stack.report, 'utf8'), content);
      }
    } finally {
      await stack.close();
    }
  });
});
