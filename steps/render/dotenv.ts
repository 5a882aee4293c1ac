import { RailyardError } from '../../core/errors.ts';
import { HEADER } from './yaml-out.ts';

/** Names compose's .env reader accepts. */
const ENV_NAME = /^[A-Za-z0-9_.\-[\]]+$/;

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
