import type { DbConfig } from './db-types.ts';
import type { SourceMap } from './parse-yaml.ts';
import { pointerOf, pointerToPath, type ConfigProblem, type ConfigWarningCode } from './problem.ts';

/** Reports one warning at a place in db.yml: `segments` is the JSON path as keys and indexes. */
export type WarnAt = (code: ConfigWarningCode, segments: readonly (string | number)[], message: string, onKey?: boolean) => void;

/** One concern's warnings on a valid config; each message says what to change. */
export type WarningCheck = (config: DbConfig, warn: WarnAt) => void;

/**
 * Settings railyard accepts that do not take effect yet (issue 12: nothing
 * accepted is silently ignored). Each line goes once the feature lands.
 */
const notYetEffective: WarningCheck = (config, warn) => {
  if (config.runtime === 'swarm') {
    warn('NOT_YET_EFFECTIVE', ['runtime'], 'runtime: swarm has no effect yet: railyard deploys with docker compose; remove it or set runtime: compose');
  }
  if (config.notifications.length > 0) {
    warn('NOT_YET_EFFECTIVE', ['notifications'], `notifications: ${config.notifications.length} entr${config.notifications.length === 1 ? 'y is' : 'ies are'} accepted but nothing is sent yet; remove the section until notifications land`, true);
  }
};

/** Every warning check, in the order their lines are printed (register new ones here). */
const CHECKS: readonly WarningCheck[] = [notYetEffective];

/** Warnings on a config that passed every check: it deploys, but something in it deserves a change. */
export function configWarnings(config: DbConfig, source: SourceMap, file: string): ConfigProblem[] {
  const warnings: ConfigProblem[] = [];
  const warn: WarnAt = (code, segments, message, onKey = false) => {
    const pointer = pointerOf(segments);
    const pos = onKey ? source.keyAt(pointer) : source.valueAt(pointer);
    warnings.push({ code, file, ...pos, path: pointerToPath(pointer), message, severity: 'warning' });
  };
  for (const check of CHECKS) check(config, warn);
  return warnings;
}
