#!/usr/bin/env node
// The `railyard` command. It runs the sources bundled into dist/ (`npm install`
// builds them: the `prepare` script) while they are newer than every source
// file; otherwise the TypeScript sources through tsx, so an edit never runs
// stale code and no build step is ever required.
import { readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/cli/main.js`;
const SOURCES = ['core', 'config', 'pipeline', 'app', 'steps', 'runtime', 'hooks', 'cli'];

/** Whether a .ts file under `dir` changed after `builtAt`. A missing folder (an installed image ships dist/ alone) has none. */
function newerSource(dir, builtAt) {
  let entries;
  try {
    entries = readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  // Walked by hand: readdirSync's `recursive` option costs ~10 ms more per command here (issue 17 item 4).
  return entries.some((entry) => entry.isDirectory()
    ? newerSource(`${dir}/${entry.name}`, builtAt)
    : entry.name.endsWith('.ts') && statSync(`${dir}/${entry.name}`).mtimeMs > builtAt);
}

function compiledIsCurrent() {
  const built = statSync(compiled, { throwIfNoEntry: false });
  return built !== undefined && !SOURCES.some((dir) => newerSource(`${root}${dir}`, built.mtimeMs));
}

// V8's compiled code of the modules, kept on disk between runs (in the OS's
// temporary folder; NODE_DISABLE_COMPILE_CACHE=1 turns it off): a command
// compiles only what changed since the last one.
module.enableCompileCache?.();

if (compiledIsCurrent()) {
  await import(pathToFileURL(compiled).href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
