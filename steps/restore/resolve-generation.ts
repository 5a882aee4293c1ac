import { RailyardError } from '../../core/errors.ts';
import { checkGenerations, listBackups, type CheckedGeneration } from '../backup/generations.ts';
import { parseGenerationKey } from '../backup/keys.ts';
import { onTarget, type BackupTarget } from '../backup/target.ts';

/** `latest`, or a generation key of this stack's prefix: checked before anything else happens. */
export function checkKeyArgument(key: string, prefix: string): void {
  if (key === 'latest' || parseGenerationKey(prefix, key) !== undefined) return;
  throw new RailyardError('USAGE', `${JSON.stringify(key)} is not a backup: use "latest" or a key such as ${prefix}.20260101120000 (see \`railyard backup list\`)`);
}

/** The generation to restore: the named one, or for `latest` the newest validated one. */
export async function resolveGeneration(target: BackupTarget, prefix: string, key: string): Promise<CheckedGeneration> {
  if (key !== 'latest') {
    const parsed = parseGenerationKey(prefix, key)!;
    const head = await onTarget(target, `read ${key}`, () => target.head(key));
    if (head === undefined) throw new RailyardError('BACKUP_NOT_FOUND', `There is no backup ${key} in ${target.description}`);
    const [checked] = await onTarget(target, `read ${key}`, () => checkGenerations(target, [{ ...parsed, size: head.size, modified: head.modified }]));
    return checked!;
  }
  const { generations } = await onTarget(target, 'list backups', () => listBackups(target, prefix));
  for (let i = 0; i < generations.length; i += 8) {
    const batch = await onTarget(target, 'read backups', () => checkGenerations(target, generations.slice(i, i + 8)));
    const found = batch.find((g) => g.validated);
    if (found !== undefined) return found;
  }
  throw new RailyardError('BACKUP_NOT_FOUND', `There is no validated backup in ${target.description}`);
}
