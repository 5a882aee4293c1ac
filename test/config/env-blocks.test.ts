import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { loadEnv } from '../../config/env.ts';

describe('loadEnv: block API', () => {
  it('defaults: nft, no Basic credentials, /16 and /32, nothing extra protected', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-env-blocks-'));
    assert.deepEqual(loadEnv({ root, environ: {} }).blocks, {
      firewall: 'nft', nft: 'nft', basicUser: undefined, basicPassword: undefined, minPrefixV4: 16, minPrefixV6: 32, protectedCidrs: [],
    });
  });

  it('takes its settings, keeps the Basic password out of logs, and refuses bad values', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-env-blocks-'));
    const env = loadEnv({ root, environ: { BLOCK_FIREWALL: 'off', BLOCK_API_USER: 'f2b', BLOCK_API_PASSWORD: 'pw-123456', BLOCK_PROTECTED_CIDRS: '192.168.255.0/24 2001:db8::1' } });
    assert.equal(env.blocks.firewall, 'off');
    assert.deepEqual(env.blocks.protectedCidrs, ['192.168.255.0/24', '2001:db8::1/128']);
    assert.ok(env.secrets.includes('pw-123456'));
    const refused = (environ: Record<string, string>): string => {
      try {
        loadEnv({ root, environ });
      } catch (error) {
        return (error as Error).message;
      }
      return assert.fail('accepted');
    };
    assert.match(refused({ BLOCK_FIREWALL: 'iptables' }), /BLOCK_FIREWALL="iptables" must be nft or off/);
    assert.match(refused({ BLOCK_API_USER: 'f2b' }), /must be set together/);
    assert.match(refused({ BLOCK_API_USER: 'a:b', BLOCK_API_PASSWORD: 'x' }), /must not contain ":"/);
    assert.match(refused({ BLOCK_MIN_PREFIX_V4: '0' }), /BLOCK_MIN_PREFIX_V4/);
    assert.match(refused({ BLOCK_PROTECTED_CIDRS: 'office' }), /BLOCK_PROTECTED_CIDRS: "office"/);
  });
});
