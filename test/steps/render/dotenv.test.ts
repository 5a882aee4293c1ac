import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { isRailyardError } from '../../../core/errors.ts';
import { renderDotenv } from '../../../steps/render/dotenv.ts';

describe('renderDotenv', () => {
  it('double-quotes every value with compose escapes for \\, ", newlines and $', () => {
    const text = renderDotenv({ A: 'plain', B: 'a "b" \\c', C: 'x\ny\r', D: '${X} $$', E: null, F: '' }, 'app');
    assert.deepEqual(text.split('\n').slice(1), ['A="plain"', 'B="a \\"b\\" \\\\c"', 'C="x\\ny\\r"', 'D="\\${X} \\$\\$"', 'F=""', '']);
  });

  it('refuses a name the .env format cannot hold', () => {
    assert.throws(() => renderDotenv({ 'BAD NAME': 'x' }, 'app'), (error: unknown) => isRailyardError(error, 'RENDER_FAILED'));
  });
});
