// Run as a child process by restore-bomb.test.ts: restores the generation in
// a stack root (argv[2]) into a new folder (argv[3]) and prints one JSON line
// with the outcome and this process's peak RSS, so the figure is the restore's alone.
import { loadEnv } from '../../../config/env.ts';
import { isRailyardError } from '../../../core/errors.ts';
import { createLogger } from '../../../core/logger.ts';
import { restoreBackup } from '../../../steps/restore/index.ts';

const [root, to] = process.argv.slice(2) as [string, string];
const env = loadEnv({ root, environ: { PATH: process.env['PATH'] ?? '' } });
let outcome: string;
try {
  await restoreBackup({ env, log: createLogger({ level: 'silent' }), key: 'latest', to });
  outcome = 'restored';
} catch (error) {
  outcome = isRailyardError(error) ? error.code : String(error);
}
process.stdout.write(`${JSON.stringify({ outcome, maxRssMiB: Math.round(process.resourceUsage().maxRSS / 1024) })}\n`);
