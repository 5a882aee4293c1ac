import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { desiredElements } from '../../../app/blocks/keeper.ts';
import type { Block } from '../../../pipeline/block-store.ts';
import { changeScript, elementText, fullRuleset } from '../../../runtime/firewall/ruleset.ts';

const block = (target: string, port = 0, family: 4 | 6 = 4): Block =>
  ({ target, family, proto: port === 0 ? '' : 'tcp', port, reporters: [], createdAt: 0, expiresAt: undefined });

describe('firewall ruleset', () => {
  it('one table of its own, replaced in one transaction, hooked at prerouting ahead of Docker', () => {
    const text = fullRuleset([...desiredElements([block('192.0.2.1'), block('2001:db8::1', 0, 6), block('198.51.100.0/24', 22)]).values()]);
    assert.match(text, /^table inet railyard\ndelete table inet railyard\ntable inet railyard \{/);
    assert.match(text, /type filter hook prerouting priority raw; policy accept;/);
    assert.match(text, /set v4 \{[^}]*elements = \{ 192\.0\.2\.1 \}/);
    assert.match(text, /set v6 \{[^}]*elements = \{ 2001:db8::1 \}/);
    assert.match(text, /set v4_port \{[^}]*elements = \{ 198\.51\.100\.0\/24 \. tcp \. 22 \}/);
  });

  it('leaves out a block inside a wider one of the same port (nft refuses overlapping intervals)', () => {
    const elements = desiredElements([block('192.0.2.7'), block('192.0.2.0/24'), block('192.0.2.8', 22), block('192.0.3.1')]);
    assert.deepEqual([...elements.keys()].sort(), ['v4 192.0.2.0/24', 'v4 192.0.3.1', 'v4_port 192.0.2.8 . tcp . 22']);
  });

  it('a change is element deletions then additions, never a reload', () => {
    assert.equal(changeScript([{ family: 4, target: '192.0.2.0/24', proto: '', port: 0 }], [{ family: 4, target: '192.0.2.7', proto: '', port: 0 }]),
      'delete element inet railyard v4 { 192.0.2.7 }\nadd element inet railyard v4 { 192.0.2.0/24 }\n');
  });

  it('refuses to write anything but a canonical address into a script', () => {
    assert.throws(() => elementText({ family: 4, target: '1.2.3.4 }; flush ruleset; {', proto: '', port: 0 }), TypeError);
    assert.throws(() => elementText({ family: 4, target: '1.2.3.4', proto: 'tcp', port: 70_000 }), TypeError);
  });
});
