import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRailyardError, RailyardError } from '../../../core/errors.ts';
import { checkOutput } from '../../../steps/render/check-output.ts';
import { fileOf, oneProject, renderText } from './render-helpers.ts';

const fails = (fn: () => unknown, variable: string) =>
  assert.throws(fn, (error: unknown) => {
    assert.ok(isRailyardError(error, 'RENDER_UNRESOLVED_VARIABLE'), String(error));
    assert.equal(((error as RailyardError).data as { variable: string }).variable, variable);
    return true;
  });

describe('unresolved variables', () => {
  it('fail the render when a Traefik file would carry ${…}', () => {
    fails(() => renderText(oneProject('      - host: web\n        image: nginx\n'), { letsencryptEmail: '${LE_EMAIL}' }), 'LE_EMAIL');
  });

  it("keep compose's own $$: a literal ${X} from db.yml's $${X} is written escaped and passes", () => {
    const stack = renderText(oneProject('      - host: web\n        image: nginx\n        command: echo $${HOME} $$1\n'));
    assert.match(fileOf(stack, 'upstream/app/docker-compose.yml'), /command: echo \$\$\{HOME\} \$\$1/);
  });

  it('tell an escaped $${X} from an interpolated one in compose and .env text', () => {
    const file = (kind: 'compose' | 'dotenv', content: string) => [{ path: 'f', content, kind }];
    assert.doesNotThrow(() => checkOutput(file('compose', 'a: $${X}\nb: $$$${Y}\nc: $5\n')));
    fails(() => checkOutput(file('compose', 'a: $$${X}\n')), 'X');
    fails(() => checkOutput(file('compose', 'a: ${PASSWORD}\n')), 'PASSWORD');
    assert.doesNotThrow(() => checkOutput(file('dotenv', 'A="\\${X}"\n')));
    fails(() => checkOutput(file('dotenv', 'A="${X}"\n')), 'X');
  });

  it('name the file and line', () => {
    assert.throws(
      () => checkOutput([{ path: 'proxy/traefik/traefik.yml', content: 'a: 1\nb: ${B}\n', kind: 'traefik' }]),
      (error: unknown) => isRailyardError(error, 'RENDER_UNRESOLVED_VARIABLE') && /traefik\.yml:2:/.test(error.userMessage),
    );
  });
});
