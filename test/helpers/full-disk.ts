// A real full disk for tests: a small tmpfs mounted on a temp folder (the
// tests run as root), filled until the kernel answers ENOSPC. `free()`
// deletes the filler; `unmount()` removes it all.
import { mkdtempSync, openSync, closeSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';

export interface FullDisk {
  /** The mount point. */
  readonly dir: string;
  /** Fills every free byte (ENOSPC from then on). */
  fill(): void;
  /** Deletes the filler: the disk has room again. */
  free(): void;
  unmount(): Promise<void>;
}

export async function mountSmallDisk(sizeKb = 1024): Promise<FullDisk> {
  const dir = mkdtempSync(join(tmpdir(), 'railyard-disk-'));
  await execa('mount', ['-t', 'tmpfs', '-o', `size=${sizeKb}k`, 'tmpfs', dir]);
  const filler = join(dir, '.filler');
  return {
    dir,
    fill() {
      const fd = openSync(filler, 'a');
      const block = Buffer.alloc(4096, 1);
      try {
        for (;;) writeSync(fd, block);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOSPC') throw error;
      } finally {
        closeSync(fd);
      }
      // A last partial block can still fit: fill byte by byte.
      const small = openSync(filler, 'a');
      try {
        for (;;) writeSync(small, Buffer.alloc(1));
      } catch {
        // ENOSPC: full
      } finally {
        closeSync(small);
      }
    },
    free: () => rmSync(filler, { force: true }),
    async unmount() {
      await execa('umount', ['-l', dir], { reject: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
