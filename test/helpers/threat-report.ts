// Runs the threat-report pipeline the way `railyard threat-report` does: in a
// stack root, through the real runner and run store, against local DNS, RDAP
// and AbuseIPDB servers. Each test gets its own root and servers.
import { mkdir, mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { loadEnv } from '../../config/env.ts';
import { createLogger } from '../../core/logger.ts';
import type { RunRecord, StepRecord } from '../../pipeline/run-record.ts';
import { startRunner } from '../../app/start-runner.ts';
import { STACK } from '../../core/types.ts';
import { waitForRun } from '../../pipeline/wait-for-run.ts';
import { parseCsv } from '../../steps/threat-report/csv.ts';
import { startDnsServer, type DnsServer, type DnsServerOptions } from './dns-server.ts';
import {
  startAbuseIpdbServer, startRdapServer,
  type AbuseIpdbServerOptions, type ApiServer, type RdapServerOptions,
} from './threat-apis.ts';

export const ABUSEIPDB_KEY = 'test-abuseipdb-key-0123456789';

export interface ThreatStackOptions {
  readonly dns?: DnsServerOptions;
  readonly rdap?: RdapServerOptions;
  readonly abuseipdb?: Omit<AbuseIpdbServerOptions, 'key'>;
}

export interface ThreatStack {
  readonly root: string;
  readonly dns: DnsServer;
  readonly rdap: ApiServer;
  readonly abuseipdb: ApiServer;
  /** The environment pointing the report at these servers (more can be added per run). */
  readonly environ: Readonly<Record<string, string>>;
  /** The report file: `<root>/reports/potential_threat_actors.csv`. */
  readonly report: string;
  close(): Promise<void>;
}

/** A fresh stack root with `data/blacklist/blacklist-outbound-ips.txt`, and the three servers. */
export async function startThreatStack(blacklist: string, options: ThreatStackOptions = {}): Promise<ThreatStack> {
  const root = await mkdtemp(join(tmpdir(), 'railyard-threat-'));
  await writeBlacklist(root, blacklist);
  const [dns, rdap, abuseipdb] = await Promise.all([
    startDnsServer(options.dns),
    startRdapServer(options.rdap),
    startAbuseIpdbServer({ key: ABUSEIPDB_KEY, ...options.abuseipdb }),
  ]);
  return {
    root, dns, rdap, abuseipdb,
    environ: {
      THREAT_DNS_SERVERS: dns.address,
      RDAP_BASE_URL: rdap.url,
      ABUSEIPDB_BASE_URL: abuseipdb.url,
      ABUSEIPDB_API_KEY: ABUSEIPDB_KEY,
    },
    report: join(root, 'reports', 'potential_threat_actors.csv'),
    close: async () => {
      await Promise.all([dns.close(), rdap.close(), abuseipdb.close()]);
    },
  };
}

export async function writeBlacklist(root: string, text: string): Promise<void> {
  await mkdir(join(root, 'data', 'blacklist'), { recursive: true });
  await writeFile(join(root, 'data', 'blacklist', 'blacklist-outbound-ips.txt'), text);
}

export interface ReportRun {
  readonly run: RunRecord;
  readonly steps: readonly StepRecord[];
}

/** Triggers `threat-report` through the runner (as the CLI does) and waits for it. */
export async function runThreatReport(root: string, environ: Readonly<Record<string, string>>): Promise<ReportRun> {
  const env = loadEnv({ root, environ: { ...environ } });
  const quiet = new Writable({ write: (_chunk, _encoding, done) => done() });
  const started = startRunner({ env, log: createLogger({ level: 'silent' }), logDestination: quiet });
  if (started === undefined) throw new Error(`another runner holds ${root}`);
  try {
    const accepted = started.runner.trigger({ pipeline: 'threat-report', project: STACK, trigger: { kind: 'cli' } });
    const run = await waitForRun(started.store, accepted.runId, { intervalMs: 20 });
    return { run, steps: started.store.stepsOf(run.id) };
  } finally {
    await started.close({ drain: true });
  }
}

/** The report's rows as objects, by column name. */
export async function readRows(file: string): Promise<Record<string, string>[]> {
  const [header = [], ...records] = parseCsv(await readFile(file, 'utf8'));
  return records.map((record) => Object.fromEntries(header.map((column, i) => [column, record[i] ?? ''])));
}

/** The report's rows without the two timestamps (checked on their own). */
export async function readRowsUntimed(file: string): Promise<Record<string, string>[]> {
  return (await readRows(file)).map(({ first_seen: _first, last_updated: _last, ...rest }) => rest);
}
