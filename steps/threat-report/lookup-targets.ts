import PQueue from 'p-queue';
import type { Logger } from '../../core/logger.ts';
import type { AbuseInfo, AbuseIpdb, AbuseStop } from './abuseipdb.ts';
import type { Row } from './csv.ts';
import { isReserved, isSingle, type Target } from './ip.ts';
import { lookupRdap, type RdapOptions } from './rdap.ts';
import type { RdapInfo } from './rdap-parse.ts';
import type { ReverseDns } from './rdns.ts';

/** The report columns that come from lookups. */
export type LookupColumns = Pick<Row, 'domain' | keyof RdapInfo | keyof AbuseInfo>;

export interface LookupClients {
  readonly rdns: ReverseDns;
  readonly rdap: RdapOptions;
  /** Undefined without ABUSEIPDB_API_KEY: the AbuseIPDB columns stay empty, as in itsUP. */
  readonly abuseipdb: AbuseIpdb | undefined;
}

export interface LookupOptions {
  /** Targets looked up at once. */
  readonly concurrency: number;
  readonly signal: AbortSignal;
  readonly log: Logger;
}

export interface LookupResults {
  /** Looked-up columns by target key. */
  readonly found: ReadonlyMap<string, LookupColumns>;
  /** Keys of the targets not looked up because lookups stopped. */
  readonly pending: readonly string[];
  /** Why lookups stopped early, when they did. */
  readonly stop: AbuseStop | undefined;
}

const NO_ABUSE: AbuseInfo = { abuse_score: '', total_reports: '', usage_type: '', is_tor: '', last_reported: '' };
const RESERVED_RDAP: RdapInfo = { org_name: 'Private/Reserved IP', country: '', emails: '', phone: '', description: '' };
const PROGRESS_EVERY = 100;

/**
 * Looks up every target, `concurrency` at a time; per address the reverse DNS,
 * RDAP and AbuseIPDB lookups run side by side (AbuseIPDB's own limiter keeps
 * its rate). Once AbuseIPDB stops (quota used up, key refused) targets not
 * finished are left pending and the rest are not started.
 */
export async function lookupTargets(targets: readonly Target[], clients: LookupClients, options: LookupOptions): Promise<LookupResults> {
  const queue = new PQueue({ concurrency: options.concurrency });
  const found = new Map<string, LookupColumns>();
  const pending: string[] = [];
  let done = 0;
  await Promise.all(
    targets.map((target) =>
      queue.add(async () => {
        const columns = clients.abuseipdb?.stopped ? undefined : await lookupOne(target, clients, options.signal);
        if (columns === undefined) pending.push(target.key);
        else found.set(target.key, columns);
        if (++done % PROGRESS_EVERY === 0) options.log.info({ done, total: targets.length }, 'threat lookups progress');
      }, { signal: options.signal }),
    ),
  );
  return { found, pending, stop: clients.abuseipdb?.stopped };
}

/** One target's columns; undefined when AbuseIPDB stopped before answering for it. */
async function lookupOne(target: Target, clients: LookupClients, signal: AbortSignal): Promise<LookupColumns | undefined> {
  const single = isSingle(target);
  const reserved = isReserved(target);
  // AbuseIPDB's `check` takes one address, and knows nothing of private ones.
  const abuse = single && !reserved && clients.abuseipdb ? clients.abuseipdb.check(target.key, signal) : Promise.resolve({ info: NO_ABUSE });
  const [domain, rdap, checked] = await Promise.all([
    single ? clients.rdns.lookup(target.key, signal) : Promise.resolve(''),
    reserved ? Promise.resolve(RESERVED_RDAP) : lookupRdap(clients.rdap, target, signal),
    abuse,
  ]);
  if ('stop' in checked) return undefined;
  return { domain: domain ?? '(no reverse DNS)', ...rdap, ...checked.info };
}
