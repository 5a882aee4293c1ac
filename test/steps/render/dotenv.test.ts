import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRailyardError } from '../../../core/errors.ts';
import { chmod, mkdtemp, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { renderDotenv } from '../../../steps/render/dotenv.ts';
import { writeFiles } from '../../../steps/render/write-files.ts';

describe('renderDotenv', () => {
  it('double-quotes every value with compose escapes for \\, ", newlines and $', () => {
    const text = renderDotenv({ A: 'plain', B: 'a "b" \\c', C: 'x\ny\r', D: '${X} $$', E: null, F: '' }, 'app');
    assert.deepEqual(text.split('\n').slice(1), ['A="plain"', 'B="a \\"b\\" \\\\c"', 'C="x\\ny\\r"', 'D="\\${X} \\$\\$"', 'F=""', '']);
  });

  it('refuses a name the .env format cannot hold', () => {
    assert.throws(() => renderDotenv({ 'BAD NAME': 'x' }, 'app'), (error: unknown) => isRailyardError(error, 'RENDER_FAILED'));
  });

  it('refuses NUL and the line breaks other .env readers split on (U+2028, U+2029, U+0085, VT, FF, FS, GS, RS), naming the variable and code point', () => {
    for (const char of ['\0', '\u2028', '\u2029', '\x85', '\v', '\f', '\x1c', '\x1d', '\x1e']) {
      assert.throws(() => renderDotenv({ OK: 'fine', BAD: `a${char}b` }, 'app'), (error) => {
        assert.ok(isRailyardError(error, 'RENDER_FAILED'));
        assert.match(error.message, /env BAD holds U\+[0-9A-F]{4} at character 2/);
        return true;
      }, JSON.stringify(char));
    }
    assert.match(renderDotenv({ TAB: 'a\tb', UNICODE: 'é ✓' }, 'app'), /TAB="a\tb"\nUNICODE="é ✓"/);
  });

  it('is written owner-only (0600), new or existing with a wider mode, while other files keep 0644', async () => {
    const root = await mkdtemp(join(tmpdir(), 'railyard-dotenv-'));
    const files = [
      { path: 'upstream/app/.env', content: renderDotenv({ TOKEN: 's3cret' }, 'app'), kind: 'dotenv' as const },
      { path: 'upstream/app/docker-compose.yml', content: 'services: {}\n', kind: 'compose' as const },
    ];
    await writeFiles(root, files);
    const mode = async (path: string): Promise<number> => (await stat(join(root, path))).mode & 0o777;
    assert.deepEqual([await mode('upstream/app/.env'), await mode('upstream/app/docker-compose.yml')], [0o600, 0o644]);
    await chmod(join(root, 'upstream/app/.env'), 0o644);
    const again = await writeFiles(root, files);
    assert.deepEqual(again.changed, [], 'same content: not rewritten');
    assert.equal(await mode('upstream/app/.env'), 0o600, 'but tightened');
  });
});
