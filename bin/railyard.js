#!/usr/bin/env node
// The `railyard` command. It runs the sources bundled into dist/ (`npm install`
// builds them: the `prepare` script) while they are newer than every source
// file; otherwise the TypeScript sources through tsx, so an edit never runs
// stale code and no build step is ever required.
import { existsSync, readdirSync, statSync } from 'node:fs';
import module from 'node:module';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = join(root, 'dist', 'cli', 'main.js');
const SOURCES = ['core', 'config', 'pipeline', 'app', 'steps', 'runtime', 'hooks', 'cli'];

function compiledIsCurrent() {
  if (!existsSync(compiled)) return false;
  const builtAt = statSync(compiled).mtimeMs;
  // An installed image ships dist/ alone: a missing source folder is no newer source.
  return SOURCES.filter((dir) => existsSync(join(root, dir))).every((dir) =>
    readdirSync(join(root, dir), { recursive: true }).every((name) =>
      !String(name).endsWith('.ts') || statSync(join(root, dir, String(name))).mtimeMs <= builtAt));
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
