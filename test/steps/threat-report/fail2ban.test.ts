import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseFail2banLine } from '../../../steps/threat-report/fail2ban.ts';

describe('parseFail2banLine', () => {
  it('reads Ban and Restore Ban lines with their jail', () => {
    const ban = parseFail2banLine('2024-05-01 10:00:00,123 fail2ban.actions        [812]: NOTICE  [sshd] Ban 45.33.32.156');
    assert.deepEqual(ban && { key: ban.target.key, jail: ban.jail }, { key: '45.33.32.156', jail: 'sshd' });
    const restored = parseFail2banLine('2024-05-01 10:00:01,001 fail2ban.actions [812]: NOTICE  [traefik-auth] Restore Ban 2a01:4f8::1');
    assert.deepEqual(restored && { key: restored.target.key, jail: restored.jail }, { key: '2a01:4f8::1', jail: 'traefik-auth' });
  });

  it('ignores Unban, Found and other lines', () => {
    for (const line of [
      '2024-05-01 11:00:00,123 fail2ban.actions [812]: NOTICE  [sshd] Unban 45.33.32.156',
      '2024-05-01 09:59:00,123 fail2ban.filter  [812]: INFO    [sshd] Found 45.33.32.156 - 2024-05-01 09:59:00',
      '2024-05-01 09:00:00,000 fail2ban.server  [812]: INFO    Starting Fail2ban v1.0.2',
      '2024-05-01 10:00:00,123 fail2ban.actions [812]: NOTICE  [sshd] Ban not-an-ip',
    ]) {
      assert.equal(parseFail2banLine(line), undefined, line);
    }
  });
});
