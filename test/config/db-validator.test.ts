import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { load } from 'js-yaml';
import type { ValidateFunction } from 'ajv';
import { compileValidator, dbValidator, validatorKey, validatorModule } from '../../config/db-validator.ts';

const require = createRequire(import.meta.url);
/** Inside the checkout (its /tmp/ is git-ignored): generated code requires ajv's runtime from node_modules. */
const scratch = async (): Promise<string> => {
  const parent = fileURLToPath(new URL('../../tmp/', import.meta.url));
  await mkdir(parent, { recursive: true });
  return mkdtemp(join(parent, 'ry-validator-'));
};
const INVALID = new URL('../fixtures/invalid/', import.meta.url);
const SAMPLE = new URL('../../db.yml.sample', import.meta.url);
const parses = (text: string): boolean => {
  try {
    load(text);
    return true;
  } catch {
    return false; // a YAML error never reaches the schema
  }
};
/** The sample and a dozen invalid fixtures (each compares hundreds of verbose errors: kept lean). */
const documents = (): string[] =>
  [readFileSync(SAMPLE, 'utf8'), ...readdirSync(INVALID).filter((f) => f.endsWith('.yml')).map((f) => readFileSync(new URL(f, INVALID), 'utf8'))].filter(parses).slice(0, 12);

/**
 * Runs `validate` on a fresh parse of `text`: its verdict, the value with
 * defaults filled in, and its errors (their `verbose` schema, parentSchema and
 * data, often the whole schema or document, compared by digest).
 */
const digests = new WeakMap<object, string>();
function outcome(validate: ValidateFunction, text: string): unknown {
  const value = load(text);
  const ok = validate(value);
  const digest = (v: unknown): string => {
    if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'undefined';
    // Hundreds of errors share the same schema objects: digest each once.
    let known = digests.get(v);
    if (known === undefined) digests.set(v, (known = createHash('sha1').update(JSON.stringify(v)).digest('hex')));
    return known;
  };
  const errors = (validate.errors ?? []).map((e) => ({ ...e, schema: digest(e.schema), parentSchema: digest(e.parentSchema), data: digest(e.data) }));
  return { ok, value: JSON.stringify(value), errors };
}

describe('config/db-validator', () => {
  it('the build-time (standalone) validator judges, reports and fills defaults exactly as Ajv compiling the schema', async () => {
    const dir = await scratch();
    try {
      await writeFile(join(dir, 'db-validator.cjs'), validatorModule());
      const built = require(join(dir, 'db-validator.cjs')) as { key: string; validate: ValidateFunction };
      assert.equal(built.key, validatorKey());
      const compiled = compileValidator();
      const texts = documents();
      assert.ok(texts.length > 5);
      for (const text of texts) assert.deepEqual(outcome(built.validate, text), outcome(compiled, text));
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('uses a prebuilt validator only while it was built for the current schema, else compiles', async () => {
    const dir = await scratch();
    try {
      const current = join(dir, 'current.cjs');
      const stale = join(dir, 'stale.cjs');
      await writeFile(current, validatorModule());
      await writeFile(stale, validatorModule().replace(validatorKey(), 'an-older-schema'));
      const prebuilt = (require(current) as { validate: ValidateFunction }).validate;
      assert.equal(dbValidator([join(dir, 'missing.cjs'), current]), prebuilt);
      const fallback = dbValidator([stale]);
      assert.notEqual(fallback, (require(stale) as { validate: ValidateFunction }).validate);
      assert.equal(fallback(load(readFileSync(SAMPLE, 'utf8'))), true);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
