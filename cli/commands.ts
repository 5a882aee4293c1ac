import type { Command } from 'commander';

type Register = (program: Command) => void;

/**
 * Every `railyard` subcommand, registered in this one list. A command's module
 * (and so Docker, git, S3 and HTTP clients) is only loaded when that command
 * runs, or for help: `railyard validate` starts in a fraction of the time.
 */
export const COMMANDS: Readonly<Record<string, () => Promise<Register>>> = {
  validate: async () => (await import('./validate.ts')).validateCommand,
  render: async () => (await import('./render.ts')).renderCommand,
  plan: async () => (await import('./plan.ts')).planCommand,
  status: async () => (await import('./status.ts')).statusCommand,
  routes: async () => (await import('./routes.ts')).routesCommand,
  apply: async () => (await import('./apply.ts')).applyCommand,
  runs: async () => (await import('./runs.ts')).runsCommand,
  worker: async () => (await import('./worker.ts')).workerCommand,
  serve: async () => (await import('./serve.ts')).serveCommand,
  'threat-report': async () => (await import('./threat-report.ts')).threatReportCommand,
  backup: async () => (await import('./backup.ts')).backupCommand,
  restore: async () => (await import('./restore.ts')).restoreCommand,
  notify: async () => (await import('./notify.ts')).notifyCommand,
};

/** Global options that take a value (their value is not a command name). */
const GLOBAL_VALUE_OPTIONS = new Set(['--root', '--file']);

/** The subcommand named on the command line, if any. */
export function commandName(argv: readonly string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (GLOBAL_VALUE_OPTIONS.has(arg)) i++;
    else if (!arg.startsWith('-')) return arg;
  }
  return undefined;
}

/** The commands to register for this command line: the one named, or all of them (help, errors). */
export async function commandsFor(argv: readonly string[]): Promise<Register[]> {
  const name = commandName(argv);
  if (name === undefined && argv.some((arg) => arg === '-V' || arg === '--version')) return [];
  const load = name === undefined ? undefined : COMMANDS[name];
  return Promise.all(load ? [load()] : Object.values(COMMANDS).map((each) => each()));
}
