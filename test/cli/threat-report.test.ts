import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execa } from 'execa';
import { startThreatStack } from '../helpers/threat-report.ts';

const BIN = new URL('../../bin/railyard.js', import.meta.url).pathname;

async function railyard(args: string[], env: Record<string, string>) {
  return execa(process.execPath, [BIN, ...args], { reject: false, env: { LOG_LEVEL: 'warn', ...env }, extendEnv: false });
}

describe('railyard threat-report', () => {
  it('runs the pipeline through the runner, prints the run and the report figures, and shows up in `runs`', async () => {
    const stack = await startThreatStack('45.33.32.1\n45.33.32.2\n', { dns: { ptr: { '45.33.32.1': 'one.example' } } });
    try {
      const first = await railyard(['threat-report', '--root', stack.root], stack.environ);
      assert.equal(first.exitCode, 0, first.stderr);
      const [line, report] = first.stdout.trim().split('\n');
      assert.match(line ?? '', /^#1 {2}threat-report {2}\* {2}succeeded/);
      assert.equal(report, `report: ${stack.report}: 2 rows, 0 pending`);

      const second = await railyard(['threat-report', '--root', stack.root, '--json'], stack.environ);
      assert.equal(second.exitCode, 0, second.stderr);
      const json = JSON.parse(second.stdout) as { run: { status: string }; report: { file: string; rows: number; pending: number } };
      assert.deepEqual(json.report, { file: stack.report, rows: 2, pending: 0 });
      assert.equal(json.run.status, 'succeeded');
      assert.equal(stack.abuseipdb.requests.length, 2, 'the second run looked nothing up');

      const runs = await railyard(['runs', '--root', stack.root, '--json'], {});
      assert.deepEqual((JSON.parse(runs.stdout) as { pipeline: string }[]).map((r) => r.pipeline), ['threat-report', 'threat-report']);
    } finally {
      await stack.close();
    }
  });

  it('exits 1 with the failing step and code when a source is missing', async () => {
    const stack = await startThreatStack('45.33.32.1\n');
    try {
      const result = await railyard(['threat-report', '--root', stack.root], { ...stack.environ, THREAT_BLACKLIST: 'nowhere.txt' });
      assert.equal(result.exitCode, 1);
      assert.match(result.stdout, /failed .*at threat-sources \[THREAT_SOURCE_UNREADABLE\] Cannot read .*nowhere\.txt \(ENOENT\)/);
    } finally {
      await stack.close();
    }
  });
});
