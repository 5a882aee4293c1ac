import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { pushDecision, repoKey } from '../../hooks/github-push.ts';
import { isRailyardError } from '../../core/errors.ts';
import { pushPayload } from '../helpers/hook-server.ts';

const env = { repoUrl: undefined, repoBranch: 'main' };

describe('pushDecision', () => {
  it('starts a sync of the whole stack for the branch, with the commit and who pushed', () => {
    const decision = pushDecision(pushPayload({ after: 'a'.repeat(40) }), env);
    assert.ok('request' in decision);
    assert.deepEqual(decision.request, {
      pipeline: 'sync', project: '*',
      trigger: { kind: 'push', commit: 'a'.repeat(40), meta: { ref: 'refs/heads/main', repository: 'acme/config', sender: 'octocat' } },
    });
  });

  it('ignores tags (also deleted ones), branch deletions, other branches and other repositories', () => {
    const reason = (payload: Record<string, unknown>, repoUrl?: string) => {
      const decision = pushDecision(payload, { ...env, repoUrl });
      return 'ignored' in decision ? decision.ignored : 'acted';
    };
    assert.equal(reason(pushPayload({ ref: 'refs/tags/v1' })), 'tag push');
    assert.equal(reason(pushPayload({ ref: 'refs/tags/v1', deleted: true })), 'tag push');
    assert.equal(reason(pushPayload({ deleted: true })), 'branch deletion');
    assert.equal(reason(pushPayload({ ref: 'refs/heads/mainline' })), 'push to refs/heads/mainline, not refs/heads/main');
    assert.match(reason(pushPayload({ repo: 'acme/other' }), 'https://github.com/acme/config.git'), /acme\/other/);
    assert.equal(reason(pushPayload({ repo: 'acme/config' }), 'https://github.com/acme/config'), 'acted');
  });

  it('drops a commit that is not a full sha, and refuses a payload without ref', () => {
    const decision = pushDecision(pushPayload({ after: 'not-a-sha' }), env);
    assert.ok('request' in decision && decision.request.trigger.commit === undefined);
    assert.throws(() => pushDecision({}, env), (error) => isRailyardError(error, 'PAYLOAD_INVALID'));
  });
});

describe('repoKey', () => {
  it('gives host/owner/repo for HTTPS, SSH and git URLs, case, credentials and .git aside', () => {
    for (const url of ['https://github.com/Acme/Config.git', 'https://x-access-token@github.com/acme/config/', 'git@github.com:acme/config.git', 'ssh://git@github.com/acme/config', 'git://github.com/acme/config.git']) {
      assert.equal(repoKey(url), 'github.com/acme/config', url);
    }
    assert.equal(repoKey('https://git.example.com:8443/acme/config.git'), 'git.example.com:8443/acme/config');
    assert.notEqual(repoKey('https://github.com/acme/config-two'), repoKey('https://github.com/acme/config'));
  });
});
