// `npm run build`, run by `npm install` as `prepare`: compiles the sources to
// dist/ (tsconfig.build.json), which bin/railyard.js runs while it is current.
// Types are checked by `npm test`, not here. Without TypeScript (an install
// with --omit=dev) nothing is compiled: the command runs the sources through tsx.
import { spawnSync } from 'node:child_process';
import { rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch {
  console.warn('railyard: TypeScript is not installed, nothing compiled; the railyard command runs the sources through tsx');
  process.exit(0);
}
rmSync(`${root}dist`, { recursive: true, force: true });
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json', '--noCheck'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) process.exit(result.status ?? 1);
// The db.yml validator, generated once here by Ajv's standalone code instead of
// compiled at every start (config/db-validator.ts; both the compiled command and
// the tsx path load it, and only while it matches config/db-schema.ts).
const { validatorModule } = await import(`${root}dist/config/db-validator.js`);
writeFileSync(`${root}dist/config/db-validator.cjs`, validatorModule());
