// Debian's chromium driven by playwright-core (DESIGN.md §5), headless, with a
// fresh profile: no network of its own, no first-run work.
import { existsSync, mkdtempSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = '/usr/bin/chromium';

export function browserSuiteOptions(): { skip?: string } {
  if (existsSync(CHROMIUM)) return {};
  if (process.env['REQUIRE_DOCKER'] === '1') throw new Error(`${CHROMIUM} is missing: scripts/test-host.sh installs it`);
  process.stderr.write(`SKIPPED: browser tests: ${CHROMIUM} is missing (apt-get install -y chromium)\n`);
  return { skip: 'no chromium' };
}

/** A browser with a fresh profile folder (playwright passes it as --user-data-dir); close the context to end it. */
export async function launchBrowser(viewport = { width: 1100, height: 800 }): Promise<BrowserContext> {
  const profile = mkdtempSync(join(tmpdir(), 'railyard-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    viewport,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
      '--disable-component-update', '--disable-sync'],
  });
  // Chromium may still be writing the profile as it closes (ENOTEMPTY): rmSync retries.
  context.on('close', () => void rm(profile, { recursive: true, force: true, maxRetries: 10, retryDelay: 100 }).catch(() => undefined));
  return context;
}
