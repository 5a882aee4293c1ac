import { Command, Option } from 'commander';
import { RailyardError } from '../core/errors.ts';
import { RunStore, storePath } from '../pipeline/run-store.ts';
import { FINAL_STATUSES, type RunStatus } from '../core/types.ts';
import { loadEnv } from '../config/env.ts';
import { printJson, type GlobalOptions } from './context.ts';
import { logLine, runJson, runLine, stepLine } from '../app/run-format.ts';

const STATUSES: readonly RunStatus[] = ['queued', 'running', ...FINAL_STATUSES];

interface ListOptions {
  readonly project?: string;
  readonly status?: RunStatus;
  readonly limit: number;
  readonly json?: boolean;
}

/** `railyard runs [--project P] [--status S] [--limit N] [--json]` and `railyard runs show ID`. */
export function runsCommand(program: Command): void {
  const runs = program
    .command('runs')
    .description('list runs, newest first')
    .option('--project <name>', 'only runs of this project ("*" for whole-stack runs)')
    .addOption(new Option('--status <status>', 'only runs with this status').choices(STATUSES))
    .option('--limit <n>', 'at most N runs', parseLimit, 20)
    .option('--json', 'print the runs as JSON')
    .action((options: ListOptions, command: Command) => {
      withStore(command, (store) => {
        const list = store.listRuns(options);
        if (options.json) printJson(list.map(runJson));
        else process.stdout.write(list.length === 0 ? 'no runs\n' : `${list.map(runLine).join('\n')}\n`);
      });
    });
  runs
    .command('show')
    .description('one run: its steps with durations, the error, the log')
    .argument('<id>', 'run id')
    .option('--json', 'print the run as JSON')
    .action((id: string, _options: unknown, command: Command) => {
      // `--json` may land on `runs` (the parent has it too): read both.
      const options = command.optsWithGlobals<{ json?: boolean }>();
      withStore(command, (store) => {
        const run = store.getRun(id);
        if (run === undefined) throw new RailyardError('RUN_NOT_FOUND', `There is no run ${id}`);
        const steps = store.stepsOf(id);
        const log = store.logOf(id);
        if (options.json) {
          printJson({ ...runJson(run), steps, log: log.map((line) => JSON.parse(line) as unknown) });
          return;
        }
        const lines = [runLine(run), `  trigger: ${run.trigger.kind}${meta(run.trigger.meta)}`, 'steps:', ...steps.map(stepLine), 'log:', ...log.map(logLine)];
        if (run.retryOf !== undefined) lines.splice(2, 0, `  retry of #${run.retryOf}`);
        process.stdout.write(`${lines.join('\n')}\n`);
      });
    });
}

function withStore(command: Command, fn: (store: RunStore) => void): void {
  // Only the root is needed: no logger, no db.yml lookup (and no warning about it).
  const env = loadEnv({ root: command.optsWithGlobals<GlobalOptions>().root });
  const store = RunStore.open(storePath(env.root));
  try {
    fn(store);
  } finally {
    store.close();
  }
}

function meta(value: Readonly<Record<string, unknown>> | undefined): string {
  return value === undefined || Object.keys(value).length === 0 ? '' : ` ${JSON.stringify(value)}`;
}

function parseLimit(raw: string): number {
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1) throw new RailyardError('USAGE', `--limit ${JSON.stringify(raw)} must be a whole number of at least 1`);
  return value;
}
