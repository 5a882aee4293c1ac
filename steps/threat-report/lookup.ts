import { setMaxListeners } from 'node:events';
import type { Step } from '../../pipeline/types.ts';
import { AbuseIpdb, type AbuseStop } from './abuseipdb.ts';
import { createHttpClient } from './http.ts';
import { lookupTargets, type LookupColumns } from './lookup-targets.ts';
import { createReverseDns } from './rdns.ts';
import { needsLookup, readReport, type ExistingReport } from './report.ts';
import { threatSources } from './sources.ts';

export interface ThreatLookupResult {
  /** The report as it was before this run. */
  readonly existing: ExistingReport;
  /** Columns looked up in this run, by target key. */
  readonly found: ReadonlyMap<string, LookupColumns>;
  /** Keys left pending: AbuseIPDB stopped before they were looked up. */
  readonly pending: readonly string[];
  readonly stop: AbuseStop | undefined;
}

/**
 * Looks up only what the report does not have yet (new targets, and those an
 * earlier run left pending): reverse DNS, RDAP and AbuseIPDB, in parallel.
 */
export const threatLookup: Step<'threat-lookup', ThreatLookupResult> = {
  name: 'threat-lookup',
  needs: [threatSources],
  async run(ctx) {
    const { env } = ctx;
    const { targets } = ctx.resultOf(threatSources);
    const existing = await readReport(env.threat.reportFile);
    const todo = needsLookup(targets, existing);
    ctx.log.info({ file: env.threat.reportFile, known: existing.rows.size, lookups: todo.length }, 'threat lookups started');
    if (todo.length > 0 && env.abuseipdbApiKey === undefined) ctx.log.warn({}, 'ABUSEIPDB_API_KEY is not set: AbuseIPDB columns stay empty');
    // Every lookup in flight listens for the run's abort: one signal of our own, without the listener cap.
    const signal = AbortSignal.any([ctx.signal]);
    setMaxListeners(0, signal);
    const http = createHttpClient();
    const rdns = createReverseDns({ servers: env.threat.dnsServers });
    const abuseipdb = env.abuseipdbApiKey === undefined
      ? undefined
      : new AbuseIpdb({ http, baseUrl: env.threat.abuseipdbBaseUrl, apiKey: env.abuseipdbApiKey, rate: env.threat.abuseipdbRate });
    try {
      const clients = { rdns, rdap: { http, baseUrl: env.threat.rdapBaseUrl }, abuseipdb };
      const results = await lookupTargets(todo, clients, { concurrency: env.threat.concurrency, signal, log: ctx.log });
      if (results.stop) ctx.log.warn({ reason: results.stop.reason, why: results.stop.message, pending: results.pending.length }, 'threat lookups stopped early');
      ctx.log.info({ looked: results.found.size, pending: results.pending.length }, 'threat lookups finished');
      return { existing, ...results };
    } finally {
      abuseipdb?.close();
      rdns.close();
      await http.close();
    }
  },
};
