import type { Command } from 'commander';
import { loadEnv } from '../config/env.ts';
import { createLogger } from '../core/logger.ts';
import { STACK, type TriggerRequest } from '../core/types.ts';
import { PENDING, readReport } from '../steps/threat-report/report.ts';
import { printJson, type GlobalOptions } from './context.ts';
import { runJson, runLine } from '../app/run-format.ts';
import { triggerRun } from './trigger-run.ts';

interface ThreatReportOptions {
  readonly detach?: boolean;
  readonly json?: boolean;
}

/**
 * `railyard threat-report`: runs the `threat-report` pipeline through the
 * runner, like `apply`, so the run is in the history; a running `worker` or
 * `serve` runs it when there is one.
 */
export function threatReportCommand(program: Command): void {
  program
    .command('threat-report')
    .description('look up new blacklisted IPs (reverse DNS, RDAP, AbuseIPDB) and update the CSV report, through the runner')
    .option('--detach', 'queue the run and return; a running `railyard worker` or `serve` runs it')
    .option('--json', 'print the run and the report figures as JSON')
    .action(async (options: ThreatReportOptions, command: Command) => {
      // No db.yml is read: the report needs only the environment.
      const env = loadEnv({ root: command.optsWithGlobals<GlobalOptions>().root });
      const log = createLogger({ level: env.logLevel, secrets: env.secrets });
      const request: TriggerRequest = { pipeline: 'threat-report', project: STACK, trigger: { kind: 'cli' } };
      const [run] = (await triggerRun(env, log, request, options)) ?? [];
      if (run === undefined) return;
      const report = await reportFigures(env.threat.reportFile);
      if (options.json) printJson({ run: runJson(run), report });
      else process.stdout.write(`${runLine(run)}\n${report ? `report: ${describe(report)}\n` : ''}`);
    });
}

interface ReportFigures {
  readonly file: string;
  readonly rows: number;
  /** Rows waiting for lookups (AbuseIPDB's quota ran out); the next run makes them. */
  readonly pending: number;
}

/** Counted from the file itself: the figures hold whatever the log level was. */
async function reportFigures(file: string): Promise<ReportFigures | undefined> {
  const report = await readReport(file).catch(() => undefined);
  if (report === undefined || report.rows.size === 0) return undefined;
  const rows = [...report.rows.values()];
  return { file, rows: rows.length, pending: rows.filter((row) => row.abuse_score === PENDING).length };
}

function describe(r: ReportFigures): string {
  return `${r.file}: ${r.rows} rows, ${r.pending} pending`;
}
