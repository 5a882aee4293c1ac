// `npm run build`, run by `npm install` as `prepare`: bundles the sources into
// dist/ with esbuild, which bin/railyard.js runs while it is current. One
// bundle per entry, the modules a command loads lazily split into shared
// chunks (dist/chunks/): a command starts with a few files instead of the
// hundred-odd modules it imports (issue 17 item 4). Packages stay external.
// Types are checked by `npm test`, not here. Without esbuild (an install with
// --omit=dev) nothing is built: the command runs the sources through tsx.
import { renameSync, rmSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
let esbuild;
try {
  esbuild = await import('esbuild');
} catch {
  console.warn('railyard: esbuild is not installed, nothing built; the railyard command runs the sources through tsx');
  process.exit(0);
}
/** Each entry is a file something starts by path: the command, the HTTP thread, and the validator generator below. */
const ENTRIES = { 'cli/main': 'cli/main.ts', 'hooks/http-worker': 'hooks/http-worker.ts', 'config/db-validator': 'config/db-validator.ts' };
// Built beside dist/ and swapped in: a railyard running from dist/ (serve,
// while a test or the image build runs this) keeps finding the chunks it
// imports lazily; there is never a dist/ half deleted or half written.
const next = `${root}dist.${process.pid}.tmp`;
rmSync(next, { recursive: true, force: true });
await esbuild.build({
  absWorkingDir: root,
  entryPoints: ENTRIES,
  outdir: next,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node22',
  packages: 'external',
  chunkNames: 'chunks/[name]-[hash]',
  logLevel: 'warning',
});
// The db.yml validator, generated once here by Ajv's standalone code instead of
// compiled at every start (config/db-validator.ts; both the built command and
// the tsx path load it, and only while it matches config/db-schema.ts).
const { validatorModule } = await import(`${next}/config/db-validator.js`);
writeFileSync(`${next}/config/db-validator.cjs`, validatorModule());
const old = `${root}dist.${process.pid}.old`;
try {
  renameSync(`${root}dist`, old);
} catch (error) {
  if (error.code !== 'ENOENT') throw error;
}
renameSync(next, `${root}dist`);
rmSync(old, { recursive: true, force: true });
