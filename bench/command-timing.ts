// Shared by bench/commands.ts and bench/commands-docker.ts: whole `railyard` commands, timed.
import { execa } from 'execa';

export const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 5);
const BIN = new URL('../bin/railyard.js', import.meta.url).pathname;

export const median = (list: readonly number[]): number => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)] ?? NaN;
export const ms = (value: number): string => `${value.toFixed(0)} ms`;

export async function timed(fn: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await fn();
  return performance.now() - started;
}

/** `railyard <args>` in `root`; fails on an unexpected exit code. */
export function railyard(root: string, args: readonly string[], ok: readonly number[] = [0]): () => Promise<unknown> {
  return async () => {
    const result = await execa(process.execPath, [BIN, '--root', root, ...args], { reject: false, env: { LOG_LEVEL: 'warn' } });
    if (!ok.includes(result.exitCode ?? -1)) throw new Error(`railyard ${args.join(' ')}: exit ${result.exitCode}\n${result.stderr}`);
  };
}

/** Runs each side ROUNDS times, alternating; medians by name. */
export async function alternate(sides: Record<string, () => Promise<unknown>>, before?: () => Promise<void>): Promise<Record<string, number>> {
  const times: Record<string, number[]> = {};
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, fn] of Object.entries(sides)) {
      await before?.();
      (times[name] ??= []).push(await timed(fn));
    }
  }
  return Object.fromEntries(Object.entries(times).map(([name, list]) => [name, median(list)]));
}

