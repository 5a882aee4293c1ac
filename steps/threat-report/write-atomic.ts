import { randomBytes } from 'node:crypto';
import { mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { RailyardError } from '../../core/errors.ts';

/**
 * Replaces `file` with `content` atomically: a temp file in the same folder,
 * fsync, rename, fsync of the folder. A reader (or a crash) sees the old
 * report or the new one, never half of one. An existing file keeps its mode.
 */
export async function writeAtomic(file: string, content: string): Promise<void> {
  const dir = dirname(file);
  const temp = join(dir, `.${basename(file)}.${randomBytes(6).toString('hex')}.railyard-tmp`);
  try {
    await mkdir(dir, { recursive: true });
    const mode = await stat(file).then((s) => s.mode & 0o7777, () => 0o644);
    const handle = await open(temp, 'wx', mode);
    try {
      await handle.writeFile(content, 'utf8');
      await handle.sync();
    } finally {
      await handle.close();
    }
    await rename(temp, file);
  } catch (error) {
    await rm(temp, { force: true });
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new RailyardError('THREAT_REPORT_WRITE_FAILED', `Cannot write the report ${file} (${code})`, { cause: error, data: { file } });
  }
  const folder = await open(dir, 'r').catch(() => undefined);
  await folder?.sync().catch(() => undefined); // some file systems cannot fsync a folder
  await folder?.close();
}
