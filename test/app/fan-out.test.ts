import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fanOut } from '../../app/fan-out.ts';
import { createPipeline } from '../../pipeline/pipeline.ts';
import { createRegistry } from '../../pipeline/registry.ts';
import type { Step } from '../../pipeline/types.ts';
import type { Trigger } from '../../core/types.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { PIPELINE_STEPS } from '../../steps/index.ts';
import { createTestRunner, tempRoot } from '../helpers/runner.ts';

const service = (host: string, image: string) => `      - host: ${host}\n        image: ${image}\n`;
const dbYml = (projects: Record<string, string>) =>
  `projects:\n${Object.entries(projects).map(([name, image]) => `  - name: ${name}\n    services:\n${service('web', image)}`).join('')}`;

describe('a push fans out to the projects that changed', () => {
  it('pulls once, then deploys only projects whose rendered services changed, plus the proxy', async () => {
    const root = await tempRoot('railyard-fanout-');
    const deployed: { project: string; trigger: Trigger }[] = [];
    const record: Step<'record', void> = {
      name: 'record',
      run: async (ctx) => {
        deployed.push({ project: ctx.project, trigger: ctx.trigger });
      },
    };
    const pipelines = createRegistry([
      // The real sync pipeline (pull → validate → render, then fanOut) with a deploy that only records.
      createPipeline('sync', PIPELINE_STEPS.sync, { scope: 'stack', followUps: fanOut }),
      createPipeline('deploy', [record]),
    ]);
    const t = await createTestRunner({ pipelines, root });
    const push = async (projects: Record<string, string>, meta?: Record<string, unknown>): Promise<string[]> => {
      await writeFile(join(root, 'db.yml'), dbYml(projects));
      deployed.length = 0;
      const sync = await waitForRun(t.store, t.runner.trigger({ pipeline: 'sync', project: '*', trigger: { kind: 'push', ...(meta && { meta }) } }).runId);
      assert.equal(sync.status, 'succeeded', JSON.stringify(sync.error));
      await t.runner.onIdle();
      assert.ok(deployed.every((d) => d.trigger.parentRunId === sync.id), 'each deploy names the sync that queued it');
      return deployed.map((d) => d.project).sort();
    };

    assert.deepEqual(await push({ alpha: 'nginx:1', beta: 'redis:7' }), ['alpha', 'beta', 'proxy']);
    assert.deepEqual(await push({ alpha: 'nginx:1', beta: 'redis:7' }), [], 'nothing changed: nothing deployed');
    assert.deepEqual(await push({ alpha: 'nginx:1', beta: 'redis:8' }), ['beta', 'proxy']);
    assert.deepEqual(await push({ beta: 'redis:8' }), ['alpha', 'proxy'], 'a removed project is deployed once, to take it down');
    assert.deepEqual(await push({ beta: 'redis:8' }), []);
    assert.deepEqual(await push({ beta: 'redis:8' }, { all: true }), ['alpha', 'beta', 'proxy'], 'apply without a project: everything');
    await t.stop();
  });
});
