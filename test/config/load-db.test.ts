import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkDb, loadDb, MAX_DB_BYTES, readDbFile } from '../../config/load-db.ts';
import { isRailyardError } from '../../core/errors.ts';
import { sharedPath, sharedSuiteOptions } from '../helpers/shared.ts';

const ITSUP = sharedPath('fixtures/itsup-db.yml');

const INVALID = new URL('../fixtures/invalid/', import.meta.url);
const SAMPLE = new URL('../../db.yml.sample', import.meta.url);

/** Each fixture states its problems in `# expect: CODE path line:col` header lines. */
function expectations(text: string): { code: string; path: string; at: string }[] {
  return [...text.matchAll(/^# expect: (\S+) (\S+) (\d+:\d+)$/gm)].map(([, code = '', path = '', at = '']) => ({
    code,
    path: path === '-' ? '' : path,
    at,
  }));
}

describe('db.yml loading', () => {
  it('accepts itsUP v1 db.yml unchanged', sharedSuiteOptions(), async () => {
    const result = await loadDb(ITSUP, {});
    assert.equal(result.ok, true, JSON.stringify(result.problems));
  });

  it('accepts db.yml.sample without any variables set', async () => {
    const result = await loadDb(SAMPLE.pathname, {});
    assert.equal(result.ok, true, JSON.stringify(result.problems));
  });

  it('fills itsUP defaults and returns a frozen config', sharedSuiteOptions(), async () => {
    const result = await loadDb(ITSUP, {});
    assert.ok(result.ok);
    const shop = result.config.projects[0];
    const web = shop?.services[0];
    assert.deepEqual(
      { port: web?.ingress[0]?.port, proxyprotocol: web?.ingress[0]?.proxyprotocol, router: web?.ingress[0]?.router },
      { port: 3000, proxyprotocol: undefined, router: 'http' }, // unset: see steps/render/routes.ts
    );
    assert.equal(shop?.services[1]?.restart, 'always');
    assert.equal(shop?.services[2]?.restart, 'unless-stopped');
    assert.equal(shop?.enabled, true);
    assert.equal(result.config.projects[1]?.services[0]?.ingress[0]?.proxyprotocol, null);
    assert.equal(result.config.projects[5]?.services[0]?.ingress[0]?.proxyprotocol, 1);
    assert.equal(result.config.versions.traefik, 'v3');
    assert.ok(Object.isFrozen(result.config) && Object.isFrozen(web?.ingress));
  });

  const files = readdirSync(INVALID).filter((f) => f.endsWith('.yml')).sort();
  it('has at least 30 broken fixtures', () => assert.ok(files.length >= 30, `only ${files.length}`));
  for (const file of files) {
    it(`reports ${file} exactly`, async () => {
      const text = await readFile(new URL(file, INVALID), 'utf8');
      const expected = expectations(text);
      assert.ok(expected.length > 0, `${file} has no # expect: header`);
      const result = checkDb(text, file, {});
      assert.equal(result.ok, false);
      const actual = result.problems.map((p) => ({ code: p.code, path: p.path, at: `${p.line}:${p.col}` }));
      assert.deepEqual(actual, expected);
      for (const problem of result.problems) {
        assert.ok(problem.message.length > 15, `${file}: message too terse: ${problem.message}`);
        assert.equal(problem.file, file);
      }
    });
  }
});

describe('YAML 1.1, as itsUP (PyYAML) reads it', () => {
  it('reads yes/no/on/off as booleans and supports merge keys', () => {
    const text = 'projects:\n  - name: app\n    enabled: no\n    services:\n      - &svc\n        host: web\n        image: nginx\n        stateless: yes\n      - <<: *svc\n        host: worker\n';
    const result = checkDb(text, 'db.yml', {});
    assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
    assert.equal(result.config.projects[0]?.enabled, false);
    assert.equal(result.config.projects[0]?.services[0]?.stateless, true);
    assert.deepEqual([result.config.projects[0]?.services[1]?.host, result.config.projects[0]?.services[1]?.image], ['worker', 'nginx']);
  });
});

describe('${VAR} references', () => {
  const doc = (env: string) => `projects:\n  - name: app\n    env:\n      LOCAL: from-project\n    services:\n      - host: web\n        image: nginx\n        env:\n${env}`;
  const envOf = (text: string, vars: Record<string, string>) => {
    const result = checkDb(text, 'db.yml', vars);
    assert.ok(result.ok, JSON.stringify(result.ok ? [] : result.problems));
    return result.config.projects[0]?.services[0]?.env;
  };

  it('resolves from the variables, the project env and defaults; $$ is a literal $', () => {
    const env = envOf(doc('          A: ${HOME_DIR}/x\n          B: ${LOCAL}\n          C: ${MISSING:-fallback}\n          D: cost $$5 and $PATH\n          E: ${EMPTY-kept}\n'), { HOME_DIR: '/home/u', EMPTY: '' });
    assert.deepEqual(env, { A: '/home/u/x', B: 'from-project', C: 'fallback', D: 'cost $5 and $PATH', E: '' });
  });

  it('lets the project env win over the environment', () => {
    assert.deepEqual(envOf(doc('          B: ${LOCAL}\n'), { LOCAL: 'from-env' }), { B: 'from-project' });
  });

  it('points at the exact column of each unresolved reference', () => {
    const result = checkDb(doc('          A: "x ${ONE} y ${TWO}"\n'), 'db.yml', {});
    assert.ok(!result.ok);
    assert.deepEqual(result.problems.map((p) => [p.code, p.line, p.col]), [
      ['UNRESOLVED_VARIABLE', 9, 17],
      ['UNRESOLVED_VARIABLE', 9, 26],
    ]);
  });
});

describe('reading db.yml', () => {
  it('refuses files over 5 MiB before parsing', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'railyard-db-'));
    const path = join(dir, 'db.yml');
    await writeFile(path, `projects: []\n#${'x'.repeat(MAX_DB_BYTES)}\n`);
    await assert.rejects(readDbFile(path), (error) => isRailyardError(error, 'CONFIG_TOO_LARGE'));
  });

  it('says a missing file is missing', async () => {
    await assert.rejects(readDbFile('/nonexistent/db.yml'), (error) => isRailyardError(error, 'CONFIG_NOT_FOUND'));
  });
});
