// Values as itsUP v1 writes them into compose files: non-string env values are Python's str() of what
// PyYAML loaded (`True`, `1.0`); a bare `$VAR` is left for compose, which interpolates it from the
// project's .env; `$$VAR` and resolved `${VAR}` values stay literal. The docker suite reads them back
// through the real `docker compose config`.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { checkDb } from '../../../config/load-db.ts';
import { renderStack } from '../../../steps/render/render-stack.ts';
import { writeFiles } from '../../../steps/render/write-files.ts';
import { dockerSuiteOptions } from '../../helpers/docker.ts';
import { TEST_ENV, yamlOf } from './render-helpers.ts';

const DB = [
  'projects:',
  '  - name: app',
  '    env:',
  '      GREETING: hello',
  '    services:',
  '      - host: web',
  '        image: nginx',
  '        env:',
  '          FLAG: yes',
  '          DISABLED: false',
  '          RATIO: 1.0',
  '          HALF: 0.5',
  '          TINY: 0.00001',
  '          COUNT: 3',
  '          BARE: $GREETING world',
  '          LITERAL: $$GREETING',
  '          RESOLVED: ${SECRET}',
  '          PRICE: cost $$5',
  '',
].join('\n');

const render = () => {
  const loaded = checkDb(DB, 'db.yml', { SECRET: 'pa$word' });
  assert.ok(loaded.ok, JSON.stringify(loaded.ok ? [] : loaded.problems));
  return renderStack(loaded.config, TEST_ENV);
};

const DOCKER = await dockerSuiteOptions();

describe('itsUP values in compose files', () => {
  it("writes PyYAML's str() of non-strings, leaves bare $VAR for compose and escapes the literal $", () => {
    const environment = yamlOf(render(), 'upstream/app/docker-compose.yml')['services']['app-web'].environment;
    assert.deepEqual(environment, {
      FLAG: 'True', DISABLED: 'False', RATIO: '1.0', HALF: '0.5', TINY: '1e-05', COUNT: '3',
      BARE: '$GREETING world', LITERAL: '$$GREETING', RESOLVED: 'pa$$word', PRICE: 'cost $$5',
    });
  });

  it('docker compose interpolates the bare $VAR from the project .env and keeps the rest literal', DOCKER, async () => {
    const stack = render();
    const root = await mkdtemp(join(tmpdir(), 'railyard-itsup-values-'));
    await writeFiles(root, stack.files, stack.dirs);
    const dir = join(root, 'upstream', 'app');
    const result = await execa('docker', ['compose', '-f', join(dir, 'docker-compose.yml'), '--project-directory', dir, 'config', '--format', 'json']);
    const environment = (JSON.parse(result.stdout) as { services: Record<string, { environment: Record<string, string> }> }).services['app-web']!.environment;
    const literal = (value: string): string => value.replaceAll('$$', '$'); // compose prints a literal $ as $$
    assert.equal(environment['BARE'], 'hello world');
    assert.equal(literal(environment['LITERAL']!), '$GREETING');
    assert.equal(literal(environment['RESOLVED']!), 'pa$word');
    assert.equal(environment['RATIO'], '1.0');
    assert.equal(environment['FLAG'], 'True');
  });
});
