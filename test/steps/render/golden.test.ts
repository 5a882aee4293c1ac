// Golden files pin the whole rendered stack for the itsUP fixture and db.yml.sample.
// Regenerate after an intended change with: UPDATE_GOLDEN=1 node scripts/run-tests.mjs render/golden
// and read the diff as a Traefik operator before committing it.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { RenderedStack } from '../../../steps/render/types.ts';
import { sharedPath, sharedSuiteOptions } from '../../helpers/shared.ts';
import { renderText } from './render-helpers.ts';

const GOLDEN_DIR = fileURLToPath(new URL('../../fixtures/render/', import.meta.url));
const SAMPLE = fileURLToPath(new URL('../../../db.yml.sample', import.meta.url));
const UPDATE = process.env['UPDATE_GOLDEN'] === '1';

/**
 * One text file per input: every rendered file under a `==> path <==` line,
 * then the data folders and warnings. (One file, because the stack's own
 * `upstream/`, `proxy/` and `.env` names are git-ignored.)
 */
function snapshot(stack: RenderedStack): string {
  const parts = stack.files.map((file) => `==> ${file.path} <==\n${file.content}`);
  parts.push(`==> data folders <==\n${stack.dirs.map((d) => `${d}\n`).join('')}`);
  parts.push(`==> warnings <==\n${stack.warnings.map((w) => `${w}\n`).join('')}`);
  return parts.join('\n');
}

function compare(name: string, text: string): void {
  const golden = `${GOLDEN_DIR}${name}.golden.txt`;
  const actual = snapshot(renderText(text));
  if (UPDATE || !existsSync(golden)) {
    writeFileSync(golden, actual);
    if (!UPDATE) assert.fail(`${golden} did not exist and was written; read it, then run again`);
    return;
  }
  assert.equal(actual, readFileSync(golden, 'utf8'), `${name}: rendered output differs from ${golden} (UPDATE_GOLDEN=1 to accept)`);
}

describe('golden render output', () => {
  it('pins the itsUP fixture', sharedSuiteOptions(), () => {
    compare('itsup-db', readFileSync(sharedPath('fixtures/itsup-db.yml'), 'utf8'));
  });

  it('pins db.yml.sample', () => {
    compare('db-yml-sample', readFileSync(SAMPLE, 'utf8'));
  });
});
