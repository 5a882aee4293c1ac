// The real `docker compose` (v2) accepts every rendered compose file, and reads
// env values and the project .env back exactly as db.yml meant them.
// Docker suite: skips without an engine, fails under REQUIRE_DOCKER=1.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { writeFiles } from '../../../steps/render/write-files.ts';
import { dockerSuiteOptions } from '../../helpers/docker.ts';
import { sharedPath, sharedSuiteOptions } from '../../helpers/shared.ts';
import { oneProject, renderText } from './render-helpers.ts';

const SAMPLE = fileURLToPath(new URL('../../../db.yml.sample', import.meta.url));
const TRICKY = {
  Q: `it's "double" and 'single'`, D: 'pa$word ${NOT_A_VAR} $$ $1', NL: 'one\ntwo\n', S: ' # not a comment', U: 'ünïcode \\ back',
  // Look-alikes of other types in YAML 1.1 or 1.2: each must stay a string.
  B: 'yes', SW: 'on', O: '0755', O12: '0o17', X: '0x1F', E: '1e3', C: '22:22', N: 'null', T: '~', EMPTY: '', DASH: '-x', INF: '.inf',
};

/** Renders db.yml text into a fresh folder; returns it and the compose files in it. */
async function renderInto(text: string): Promise<{ root: string; composeFiles: string[] }> {
  const stack = renderText(text);
  const root = await mkdtemp(join(tmpdir(), 'railyard-compose-'));
  await writeFiles(root, stack.files, stack.dirs);
  return { root, composeFiles: stack.files.filter((f) => f.kind === 'compose').map((f) => join(root, f.path)) };
}

/** compose's own output writes each literal `$` as `$$`. */
const unescape = (value: string): string => value.replaceAll('$$', '$');

describe('docker compose config', await dockerSuiteOptions(), () => {
  const inputs: [string, () => string, { skip?: string }][] = [
    ['the itsUP fixture', () => readFileSync(sharedPath('fixtures/itsup-db.yml'), 'utf8'), sharedSuiteOptions()],
    ['db.yml.sample', () => readFileSync(SAMPLE, 'utf8'), {}],
  ];
  for (const [name, text, options] of inputs) {
    it(`accepts every compose file rendered from ${name}`, options, async () => {
      const { composeFiles } = await renderInto(text());
      assert.ok(composeFiles.length >= 4);
      for (const file of composeFiles) {
        const result = await execa('docker', ['compose', '-f', file, 'config', '-q'], { reject: false });
        assert.equal(result.exitCode, 0, `${file}: ${result.stderr}`);
      }
    });
  }

  it('reads service env values literally: quotes, $, newlines, look-alikes', async () => {
    const env = Object.entries(TRICKY).map(([k, v]) => `          ${k}: ${JSON.stringify(v.replaceAll('$', () => '$$'))}\n`).join('');
    const { composeFiles } = await renderInto(oneProject(`      - host: web\n        image: nginx\n        env:\n${env}`));
    const result = await execa('docker', ['compose', '-f', composeFiles[0]!, 'config', '--format', 'json']);
    const environment = (JSON.parse(result.stdout) as { services: Record<string, { environment: Record<string, string> }> }).services['app-web']?.environment ?? {};
    assert.deepEqual(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, unescape(v)])), TRICKY);
  });

  it('reads the project .env back literally', async () => {
    const env = Object.entries(TRICKY).map(([k, v]) => `      ${k}: ${JSON.stringify(v.replaceAll('$', () => '$$'))}\n`).join('');
    const { root } = await renderInto(oneProject('      - host: web\n        image: nginx\n', `    env:\n${env}`));
    const dir = join(root, 'upstream', 'app');
    // A probe file in the project folder, so compose reads the rendered .env for its ${…}.
    const probe = Object.keys(TRICKY).map((k) => `      ${k}: \${${k}}\n`).join('');
    await writeFile(join(dir, 'probe.yml'), `services:\n  probe:\n    image: busybox\n    environment:\n${probe}`);
    const result = await execa('docker', ['compose', '-f', join(dir, 'probe.yml'), '--project-directory', dir, 'config', '--format', 'json']);
    const environment = (JSON.parse(result.stdout) as { services: Record<string, { environment: Record<string, string> }> }).services['probe']?.environment ?? {};
    assert.deepEqual(Object.fromEntries(Object.entries(environment).map(([k, v]) => [k, unescape(v)])), TRICKY);
  });
});
