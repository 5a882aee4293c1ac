import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../core/errors.ts';

async function rootWith(dotenv: string): Promise<string> {
  const root = await mkdtemp(join(tmpdir(), 'railyard-env-'));
  await writeFile(join(root, '.env'), dotenv);
  return root;
}

describe('loadEnv', () => {
  it('reads .env from the stack root; the real environment wins', async () => {
    const root = await rootWith('API_KEY=from-file\nREPO_BRANCH=develop\nPORT=9000\n# comment\nQUOTED="a b"\n');
    const env = loadEnv({ root, environ: { API_KEY: 'from-environment' } });
    assert.equal(env.apiKey, 'from-environment');
    assert.equal(env.repoBranch, 'develop');
    assert.equal(env.port, 9000);
    assert.equal(env.vars['QUOTED'], 'a b');
  });

  it('has itsUP defaults and derives GITHUB_WEBHOOK_SECRET from API_KEY', async () => {
    const env = loadEnv({ root: await rootWith(''), environ: { API_KEY: 'k3y-value' } });
    assert.deepEqual(
      [env.host, env.port, env.repoBranch, env.backupKeep, env.concurrency, env.logLevel, env.githubWebhookSecret],
      ['0.0.0.0', 8888, 'main', 10, 2, 'info', 'k3y-value'],
    );
    assert.deepEqual(env.secrets, ['k3y-value']);
  });

  it('splits list variables on commas and spaces', async () => {
    const env = loadEnv({ root: await rootWith(''), environ: { HOOK_ALLOWED_CIDRS: '10.8.0.0/24, 127.0.0.1/32', BACKUP_EXCLUDE: 'cache tmp' } });
    assert.deepEqual(env.hookAllowedCidrs, ['10.8.0.0/24', '127.0.0.1/32']);
    assert.deepEqual(env.backupExclude, ['cache', 'tmp']);
  });

  it('is frozen', async () => {
    const env = loadEnv({ root: await rootWith(''), environ: {} });
    assert.ok(Object.isFrozen(env) && Object.isFrozen(env.s3) && Object.isFrozen(env.vars));
  });

  it('lists every bad value in one ENV_INVALID error', async () => {
    const root = await rootWith('');
    assert.throws(
      () => loadEnv({ root, environ: { PORT: 'eighty', BACKUP_KEEP: '0', LETSENCRYPT_STAGING: 'maybe', LOG_LEVEL: 'loud' } }),
      (error) => isRailyardError(error, 'ENV_INVALID') && (error.data as { problems: string[] }).problems.length === 4,
    );
  });

  it('takes TRAEFIK_API_URL as an http(s) URL only', async () => {
    const root = await rootWith('');
    assert.equal(loadEnv({ root, environ: { TRAEFIK_API_URL: 'http://127.0.0.1:8080' } }).traefikApiUrl, 'http://127.0.0.1:8080');
    assert.equal(loadEnv({ root, environ: {} }).traefikApiUrl, undefined);
    for (const bad of ['traefik:8080', 'not a url', 'unix:///run/traefik.sock']) {
      assert.throws(() => loadEnv({ root, environ: { TRAEFIK_API_URL: bad } }), (error) => isRailyardError(error, 'ENV_INVALID') && /TRAEFIK_API_URL/.test(error.message));
    }
  });
});
