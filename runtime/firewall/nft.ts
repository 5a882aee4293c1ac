import { execa } from 'execa';
import { RailyardError } from '../../core/errors.ts';

/** How long one nft call may take (10,000 elements load in well under a second). */
const NFT_TIMEOUT_MS = 30_000;

/**
 * Runs `nft -f -` with `script` on stdin: one atomic transaction, argv only
 * (never a shell). A missing program or a missing privilege is
 * FIREWALL_UNAVAILABLE; a script the kernel refuses is FIREWALL_REFUSED, with
 * nft's first error line.
 */
export async function nftApply(nft: string, script: string): Promise<void> {
  const result = await execa(nft, ['-f', '-'], { input: script, reject: false, timeout: NFT_TIMEOUT_MS, stripFinalNewline: true });
  if (result.exitCode === 0) return;
  throw nftError(nft, result);
}

/** `nft -j list table inet <table>`: the parsed JSON, or undefined when the table does not exist. */
export async function nftListTable(nft: string, table: string): Promise<unknown> {
  const result = await execa(nft, ['-j', 'list', 'table', 'inet', table], { reject: false, timeout: NFT_TIMEOUT_MS });
  if (result.exitCode === 0) return JSON.parse(result.stdout) as unknown;
  if (/No such file or directory/.test(result.stderr)) return undefined;
  throw nftError(nft, result);
}

interface Ran {
  readonly exitCode?: number | undefined;
  readonly stderr: string;
  readonly code?: string | undefined;
  readonly timedOut: boolean;
  readonly shortMessage?: string | undefined;
}

function nftError(nft: string, result: Ran): RailyardError {
  if (result.code === 'ENOENT') {
    return new RailyardError('FIREWALL_UNAVAILABLE', `${nft} is not installed (apt-get install nftables, or set BLOCK_NFT; BLOCK_FIREWALL=off only stores blocks)`);
  }
  const first = result.stderr.split('\n').find((line) => /error/i.test(line)) ?? result.stderr.split('\n')[0] ?? '';
  if (/Operation not permitted|Permission denied/i.test(result.stderr)) {
    return new RailyardError('FIREWALL_UNAVAILABLE', `nft may not change the ruleset (railyard needs CAP_NET_ADMIN): ${first.trim()}`);
  }
  const why = result.timedOut ? 'timed out' : first.trim() || result.shortMessage || `exit ${result.exitCode}`;
  return new RailyardError('FIREWALL_REFUSED', `nft refused the change: ${why.slice(0, 300)}`, { data: { stderr: result.stderr.slice(0, 2000) } });
}
