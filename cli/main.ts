import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { PACKAGE_ROOT } from '../config/package-root.ts';
import { RailyardError } from '../core/errors.ts';
import { commandsFor } from './commands.ts';
import { scrubCli } from './context.ts';

const pkg = JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };

export async function buildProgram(argv: readonly string[]): Promise<Command> {
  const program = new Command('railyard')
    .description('GitOps pipeline runner for Docker hosts: keeps the host equal to db.yml')
    .version(pkg.version, '-V, --version')
    .option('--root <dir>', 'stack root holding db.yml, .env, upstream/, proxy/ and data/ (default: $RAILYARD_ROOT or the working directory)')
    .option('--file <path>', 'db.yml to read (default: $RAILYARD_DB, or <root>/db.yml, or db.yml.sample)')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  for (const register of await commandsFor(argv)) register(program);
  return program;
}

export async function main(argv: readonly string[]): Promise<number> {
  try {
    await (await buildProgram(argv)).parseAsync(argv as string[], { from: 'user' });
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    // A caller that asked for --json reads stdout as JSON: the error is a JSON document too.
    const asJson = argv.includes('--json');
    if (error instanceof CommanderError) {
      // A usage error (commander has already said it on stderr); --help and --version exit 0 and stay text.
      if (asJson && error.exitCode !== 0) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'USAGE', message: scrubCli(error.message) } })}\n`);
      return error.exitCode;
    }
    if (error instanceof RailyardError) {
      if (asJson) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: error.code, message: scrubCli(error.userMessage) } })}\n`);
      else process.stderr.write(`error [${error.code}]: ${scrubCli(error.userMessage)}\n`);
      return 1;
    }
    if (asJson) process.stdout.write(`${JSON.stringify({ ok: false, error: { code: 'UNEXPECTED', message: scrubCli(error instanceof Error ? error.message : String(error)) } })}\n`);
    process.stderr.write(`error [UNEXPECTED]: ${scrubCli(error instanceof Error ? (error.stack ?? error.message) : String(error))}\n`);
    return 1;
  }
}

process.exitCode = await main(process.argv.slice(2));
