import type { Command } from 'commander';
import { planCommand } from './plan.ts';
import { renderCommand } from './render.ts';
import { validateCommand } from './validate.ts';

/** Every `railyard` subcommand, registered in this one list. */
export const COMMANDS: readonly ((program: Command) => void)[] = [validateCommand, renderCommand, planCommand];
