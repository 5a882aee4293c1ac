import { parseTarget, type Target } from './ip.ts';

export interface Fail2banBan {
  readonly target: Target;
  readonly jail: string;
}

// `2024-05-01 10:00:00,123 fail2ban.actions [812]: NOTICE  [sshd] Ban 203.0.113.5`,
// and `Restore Ban` after a restart. `Unban` lines do not match (`\s` before `Ban`).
const BAN = /\[([^\]\s]+)\]\s+(?:Restore\s+)?Ban\s+(\S+)/;

/** The ban on one fail2ban log line, or undefined when the line is not a `Ban <ip>` line. */
export function parseFail2banLine(line: string): Fail2banBan | undefined {
  const match = BAN.exec(line);
  if (match === null) return undefined;
  const target = parseTarget(match[2] ?? '');
  return target === undefined ? undefined : { target, jail: match[1] ?? '' };
}
