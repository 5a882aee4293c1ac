import { spawn } from 'node:child_process';
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
  const result = await run(nft, ['-f', '-'], script);
  if (result.exitCode === 0) return;
  throw nftError(nft, result);
}

/** `nft -j list table inet <table>`: the parsed JSON, or undefined when the table does not exist. */
export async function nftListTable(nft: string, table: string): Promise<unknown> {
  const result = await run(nft, ['-j', 'list', 'table', 'inet', table]);
  if (result.exitCode === 0) return JSON.parse(result.stdout) as unknown;
  if (/No such file or directory/.test(result.stderr)) return undefined;
  throw nftError(nft, result);
}

interface Ran {
  readonly exitCode?: number | undefined;
  readonly stdout: string;
  readonly stderr: string;
  readonly code?: string | undefined;
  readonly timedOut: boolean;
  readonly shortMessage?: string | undefined;
}

/**
 * One nft call through node:child_process (argv only, never a shell), killed
 * after NFT_TIMEOUT_MS. Not execa: `serve` lists the table at start, and
 * execa's ~100 modules would stay loaded in the main thread at rest (issue 17
 * item 6). Never rejects: the outcome is in the result.
 */
function run(nft: string, args: readonly string[], input?: string): Promise<Ran> {
  return new Promise((resolve) => {
    const child = spawn(nft, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'], timeout: NFT_TIMEOUT_MS, killSignal: 'SIGKILL' });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    let spawnError: NodeJS.ErrnoException | undefined;
    child.stdout?.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr?.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', (error: NodeJS.ErrnoException) => {
      spawnError = error;
    });
    // EPIPE when nft exits before reading its script: its exit code and stderr say why.
    child.stdin?.on('error', () => undefined);
    child.stdin?.end(input);
    child.on('close', (exitCode, signal) => {
      const stderr = Buffer.concat(err).toString('utf8').replace(/\r?\n$/, '');
      resolve({
        exitCode: exitCode ?? undefined,
        stdout: Buffer.concat(out).toString('utf8').replace(/\r?\n$/, ''),
        stderr,
        code: spawnError?.code,
        timedOut: signal === 'SIGKILL' && child.killed,
        shortMessage: spawnError?.message ?? (signal !== null ? `killed by ${signal}` : undefined),
      });
    });
  });
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
