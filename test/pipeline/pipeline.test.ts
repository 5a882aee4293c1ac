import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPipeline } from '../../pipeline/pipeline.ts';
import { createRegistry } from '../../pipeline/registry.ts';
import { PIPELINES } from '../../app/pipelines.ts';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../core/errors.ts';
import type { Step } from '../../pipeline/types.ts';

const step = (name: string, needs: Step[] = []): Step => ({ name, needs, run: async () => name });

describe('createPipeline', () => {
  it('accepts steps whose needs come before them', () => {
    const a = step('a');
    const b = step('b', [a]);
    const pipeline = createPipeline('p', [a, b, step('c', [a, b])]);
    assert.deepEqual(pipeline.steps.map((s) => s.name), ['a', 'b', 'c']);
    assert.equal(pipeline.scope, 'project');
  });

  it('refuses a step whose needs come after it or are missing', () => {
    const a = step('a');
    const b = step('b', [a]);
    assert.throws(() => createPipeline('p', [b, a]), (e: Error) => e instanceof TypeError && /"b" needs "a"/.test(e.message));
    assert.throws(() => createPipeline('p', [b]), TypeError);
  });

  it('refuses a step listed twice', () => {
    const a = step('a');
    assert.throws(() => createPipeline('p', [a, a]), TypeError);
  });
});

describe('pipeline registry', () => {
  it('merges listed pairs either way round, and refuses per-project pipelines with no merge declared', () => {
    const registry = createRegistry([createPipeline('x', []), createPipeline('y', []), createPipeline('s', [], { scope: 'stack' })], { 'x|y': 'x' });
    assert.equal(registry.merge('x', 'y'), 'x');
    assert.equal(registry.merge('y', 'x'), 'x');
    assert.equal(registry.merge('s', 's'), 's');
    assert.throws(() => createRegistry([createPipeline('x', []), createPipeline('z', [])]), /"x" and "z" both run per project/);
    assert.throws(() => createRegistry([createPipeline('x', [])], { 'x|nope': 'x' }), TypeError);
  });

  it('declares deploy, update and sync from the step list, in the documented order', () => {
    assert.deepEqual(PIPELINES.get('deploy')?.steps.map((s) => s.name), ['pull', 'validate', 'render', 'pull-images', 'diff', 'rollout']);
    assert.deepEqual(PIPELINES.get('update')?.steps.map((s) => s.name), ['validate', 'render', 'pull-images', 'diff', 'rollout']);
    assert.deepEqual(PIPELINES.get('sync')?.steps.map((s) => s.name), ['pull', 'validate', 'render', 'drift']);
    assert.equal(PIPELINES.get('sync')?.scope, 'stack');
    assert.equal(PIPELINES.merge('update', 'deploy'), 'deploy');
  });

  it('refuses an SSH REPO_URL at start-up, saying to use HTTPS with a token', () => {
    for (const url of ['git@github.com:me/config.git', 'ssh://git@github.com/me/config.git']) {
      const env = loadEnv({ root: '/tmp', environ: { REPO_URL: url } });
      assert.throws(
        () => PIPELINES.check(env),
        (e: unknown) => isRailyardError(e, 'GIT_URL_UNSUPPORTED') && /HTTPS/.test(e.userMessage) && /GIT_TOKEN/.test(e.userMessage),
      );
    }
    PIPELINES.check(loadEnv({ root: '/tmp', environ: { REPO_URL: 'https://git.example.com/me/config.git' } }));
  });
});
