import type { Command } from 'commander';
import { applyCommand } from './apply.ts';
import { backupCommand } from './backup.ts';
import { planCommand } from './plan.ts';
import { renderCommand } from './render.ts';
import { restoreCommand } from './restore.ts';
import { runsCommand } from './runs.ts';
import { serveCommand } from './serve.ts';
import { threatReportCommand } from './threat-report.ts';
import { validateCommand } from './validate.ts';
import { workerCommand } from './worker.ts';

/** Every `railyard` subcommand, registered in this one list. */
export const COMMANDS: readonly ((program: Command) => void)[] = [
  validateCommand,
  renderCommand,
  planCommand,
  applyCommand,
  runsCommand,
  workerCommand,
  serveCommand,
  threatReportCommand,
  backupCommand,
  restoreCommand,
];
