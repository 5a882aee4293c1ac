// The proxy's settings: itsUP's entrypoint addresses unless set, and TRAEFIK_API_URL checked.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadEnv } from '../../config/env.ts';
import { isRailyardError } from '../../core/errors.ts';

const root = mkdtempSync(join(tmpdir(), 'railyard-env-proxy-'));
const env = (environ: Record<string, string>) => loadEnv({ root, environ });

describe('proxy settings', () => {
  it("defaults to itsUP's :8080 and :8443, and takes an explicit address", () => {
    assert.deepEqual([env({}).traefikWebAddress, env({}).traefikWebSecureAddress, env({}).traefikApiUrl], [':8080', ':8443', undefined]);
    const moved = env({ TRAEFIK_WEB_ADDRESS: ':80', TRAEFIK_WEB_SECURE_ADDRESS: '0.0.0.0:443', TRAEFIK_API_URL: 'https://u:p@traefik.example.com/' });
    assert.deepEqual([moved.traefikWebAddress, moved.traefikWebSecureAddress, moved.traefikApiUrl], [':80', '0.0.0.0:443', 'https://u:p@traefik.example.com']);
  });

  it("takes Traefik's reload throttle (TRAEFIK_THROTTLE_MS, Traefik's 2 s unless set) and refuses one that is not a count of ms", () => {
    assert.deepEqual([env({}).traefikThrottleMs, env({ TRAEFIK_THROTTLE_MS: '500' }).traefikThrottleMs, env({ TRAEFIK_THROTTLE_MS: '0' }).traefikThrottleMs], [2000, 500, 0]);
    for (const value of ['2s', '-1', '60001']) {
      assert.throws(() => env({ TRAEFIK_THROTTLE_MS: value }), (error: unknown) => isRailyardError(error, 'ENV_INVALID') && error.message.includes('TRAEFIK_THROTTLE_MS'));
    }
  });

  it('refuses an address without a port, a port out of range, and a non-http API URL', () => {
    for (const [name, value] of [['TRAEFIK_WEB_ADDRESS', '8080'], ['TRAEFIK_WEB_SECURE_ADDRESS', ':70000'], ['TRAEFIK_API_URL', 'ftp://x']]) {
      assert.throws(() => env({ [name!]: value! }), (error: unknown) => isRailyardError(error, 'ENV_INVALID') && error.message.includes(name!));
    }
  });
});
