import { RailyardError } from '../../core/errors.ts';
import { HEADER } from './yaml-out.ts';

/** Names compose's .env reader accepts. */
const ENV_NAME = /^[A-Za-z0-9_.\-[\]]+$/;

/**
 * Characters a .env value cannot carry: NUL ends a C string (no process
 * environment can hold it), and the others are line breaks to some reader
 * (Python's splitlines, JavaScript, editors) though not to compose, so the
 * file would read back as other variables. Named by code point in the error.
 */
const UNWRITABLE = /[\0\v\f\x1c-\x1e\x85\u2028\u2029]/;

/**
 * `upstream/<project>/.env` text. Every value is double-quoted with compose's
 * escapes (`\\`, `\"`, `\n`, `\r`, `\$`), so it reads back literally: no
 * interpolation, quotes and newlines kept. Unset (null) values are left out.
 */
export function renderDotenv(env: Readonly<Record<string, string | null>>, project: string): string {
  const lines = [HEADER];
  for (const [name, value] of Object.entries(env)) {
    if (value === null) continue;
    if (!ENV_NAME.test(name)) {
      throw new RailyardError('RENDER_FAILED', `project "${project}" env name ${JSON.stringify(name)} cannot be written to a .env file; use letters, digits, "_", "." and "-"`, {
        project,
        data: { name },
      });
    }
    const bad = UNWRITABLE.exec(value);
    if (bad !== null) {
      const code = `U+${bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}`;
      throw new RailyardError('RENDER_FAILED', `project "${project}" env ${name} holds ${code} at character ${bad.index + 1}, which a .env file cannot carry; remove it from the value`, {
        project,
        data: { name, char: code },
      });
    }
    lines.push(`${name}="${quote(value)}"`);
  }
  return `${lines.join('\n')}\n`;
}

function quote(value: string): string {
  return value.replace(/[\\"\n\r$]/g, (char) => {
    switch (char) {
      case '\n':
        return '\\n';
      case '\r':
        return '\\r';
      default:
        return `\\${char}`;
    }
  });
}
