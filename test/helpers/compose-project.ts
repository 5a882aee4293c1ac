// A throwaway compose project for Docker tests: a unique name, a temp folder
// holding docker-compose.yml, and `down()` that removes its containers,
// networks and volumes (test cleanup only; railyard itself never passes -v).
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { execa } from 'execa';
import { stringify } from 'yaml';

export interface TestComposeProject {
  readonly name: string;
  readonly dir: string;
  readonly file: string;
  write(services: Record<string, unknown>, extra?: Record<string, unknown>): void;
  down(): Promise<void>;
}

export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${randomBytes(3).toString('hex')}`.toLowerCase();
}

export function testComposeProject(prefix: string): TestComposeProject {
  const name = uniqueName(prefix);
  const dir = mkdtempSync(join(tmpdir(), `${name}-`));
  mkdirSync(dir, { recursive: true });
  const file = join(dir, 'docker-compose.yml');
  return {
    name,
    dir,
    file,
    write(services, extra = {}) {
      writeFileSync(file, stringify({ ...extra, services }));
    },
    async down() {
      await execa('docker', ['compose', '-p', name, 'down', '-v', '-t', '1', '--remove-orphans'], { reject: false });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A compose service block for a test image with a railyard config hash label. */
export function testService(image: string, hash: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { image, labels: { 'railyard.config-hash': hash }, stop_grace_period: '2s', ...extra };
}
