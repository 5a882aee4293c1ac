import { resolve } from 'node:path';
import type { Command } from 'commander';
import { cachedCheck } from '../config/db-cache.ts';
import { requireDb } from '../config/load-db.ts';
import { renderToDisk } from '../steps/render/render-to-disk.ts';
import { cliContext, printJson } from './context.ts';

/** `railyard render [--out DIR] [--json]`: writes the stack's files and prints those that changed. */
export function renderCommand(program: Command): void {
  program
    .command('render')
    .description('render db.yml into upstream/<project>/ and proxy/ under the stack root (only changed files are written)')
    .option('--out <dir>', 'render into DIR instead of the stack root, e.g. to preview the files')
    .option('--json', 'print the result as JSON')
    .action(async (options: { out?: string; json?: boolean }, command: Command) => {
      const { env, log, db } = cliContext(command);
      const out = options.out === undefined ? undefined : resolve(options.out);
      // Only the projects that changed since the last check of this root are validated again.
      const config = await requireDb(db.path, env.vars, db.label, cachedCheck(env.root, { save: out === undefined || out === env.root }));
      // No engine asked here (start-up stays small): apply's render checks the subnets against the engine again.
      const result = await renderToDisk(config, env, { root: env.root, networkPool: env.networkPool, ...(out !== undefined ? { out } : {}) });
      for (const warning of result.warnings) log.warn({ warning }, 'ingress not routed');
      if (options.json) {
        printJson({
          ok: true,
          file: db.label,
          root: result.root,
          changed: result.changed,
          files: result.files.map((file) => file.path),
          warnings: result.warnings,
          services: result.services.map(({ definition: _definition, ...service }) => service),
        });
        return;
      }
      for (const path of result.changed) process.stdout.write(`${path}\n`);
      process.stderr.write(`${db.label}: ${result.changed.length} of ${result.files.length} files changed under ${result.root}\n`);
    });
}
