import type { RunRecord, StepRecord } from '../pipeline/run-record.ts';

/** A run as `--json` prints it: ISO times, duration in ms. */
export function runJson(run: RunRecord): Record<string, unknown> {
  const iso = (ms: number | undefined): string | undefined => (ms === undefined ? undefined : new Date(ms).toISOString());
  return {
    ...run,
    createdAt: iso(run.createdAt),
    startedAt: iso(run.startedAt),
    finishedAt: iso(run.finishedAt),
    durationMs: duration(run),
  };
}

/** One line: `#12 deploy alpha/web succeeded commit 1a2b3c4 1.2 s`, or where and why it failed. */
export function runLine(run: RunRecord): string {
  const scope = run.service === undefined ? run.project : `${run.project}/${run.service}`;
  const parts = [`#${run.id}`, run.pipeline, scope, run.status];
  if (run.commit !== undefined) parts.push(`commit ${run.commit.slice(0, 7)}`);
  const ms = duration(run);
  if (ms !== undefined) parts.push(seconds(ms));
  if (run.supersededBy !== undefined) parts.push(`by #${run.supersededBy}`);
  if (run.retriedBy !== undefined) parts.push(`retried as #${run.retriedBy}`);
  if (run.error !== undefined) parts.push(`${run.error.step ? `at ${run.error.step} ` : ''}[${run.error.code}] ${run.error.message}`);
  return parts.join('  ');
}

export function stepLine(step: StepRecord): string {
  const time = step.durationMs === undefined ? '' : seconds(step.durationMs);
  const error = step.error === undefined ? '' : `  [${step.error.code}] ${step.error.message}`;
  return `  ${step.name.padEnd(12)} ${step.status.padEnd(11)} ${time.padStart(8)}${error}`;
}

const HIDDEN = new Set(['level', 'time', 'pid', 'hostname', 'runId', 'pipeline', 'project', 'service', 'step', 'msg']);
const LEVELS: Record<number, string> = { 10: 'TRACE', 20: 'DEBUG', 30: 'INFO', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };

/** A stored JSON log line as `12:00:01.234 INFO  [pull] repository pulled commit=…`. */
export function logLine(line: string): string {
  let entry: Record<string, unknown>;
  try {
    entry = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return line;
  }
  const time = typeof entry['time'] === 'number' ? new Date(entry['time']).toISOString().slice(11, 23) : '';
  const level = (LEVELS[Number(entry['level'])] ?? String(entry['level'])).padEnd(5);
  const step = typeof entry['step'] === 'string' ? `[${entry['step']}] ` : '';
  const fields = Object.entries(entry)
    .filter(([key]) => !HIDDEN.has(key))
    .map(([key, value]) => `${key}=${key === 'err' ? errorText(value) : JSON.stringify(value)}`);
  return [time, level, `${step}${String(entry['msg'] ?? '')}`, ...fields].join(' ');
}

function errorText(value: unknown): string {
  const err = value as { type?: string; message?: string } | null;
  return JSON.stringify(err?.message === undefined ? value : `${err.type ?? 'Error'}: ${err.message.split('\n')[0]}`);
}

function duration(run: RunRecord): number | undefined {
  return run.startedAt === undefined || run.finishedAt === undefined ? undefined : run.finishedAt - run.startedAt;
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(ms < 10_000 ? 2 : 1)} s`;
}
