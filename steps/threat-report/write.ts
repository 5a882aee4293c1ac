import type { Step } from '../../pipeline/types.ts';
import { formatCsv } from './csv.ts';
import { threatGeoip } from './geoip.ts';
import { threatLookup } from './lookup.ts';
import { formatNdjson } from './ndjson.ts';
import { buildRows, PENDING } from './report.ts';
import { threatSources } from './sources.ts';
import { writeAtomic } from './write-atomic.ts';

export interface ThreatWriteResult {
  readonly file: string;
  /** The NDJSON copy (ECS names). */
  readonly ndjson: string;
  readonly rows: number;
  /** Rows looked up in this run. */
  readonly looked: number;
  /** Rows still waiting for their lookups. */
  readonly pending: number;
  /** Rows of addresses no longer blacklisted (or now whitelisted), removed. */
  readonly dropped: number;
}

/**
 * Writes the report atomically, partial results included: when AbuseIPDB
 * stopped, the rows looked up so far are kept and the rest marked pending.
 * A refused API key then fails the run (after writing), since no later run
 * can succeed until the key is fixed; a used-up quota does not.
 */
export const threatWrite: Step<'threat-write', ThreatWriteResult> = {
  name: 'threat-write',
  needs: [threatSources, threatLookup, threatGeoip],
  async run(ctx) {
    const file = ctx.env.threat.reportFile;
    const { targets } = ctx.resultOf(threatSources);
    const lookup = ctx.resultOf(threatLookup);
    const now = new Date().toISOString();
    const geo = ctx.resultOf(threatGeoip).found;
    const { rows, dropped } = buildRows({ targets, existing: lookup.existing, found: lookup.found, geo, now });
    await writeAtomic(file, formatCsv(rows));
    const ndjson = ctx.env.threat.ndjsonFile;
    await writeAtomic(ndjson, formatNdjson(rows, now));
    const result = { file, ndjson, rows: rows.length, looked: lookup.found.size, pending: rows.filter((r) => r.abuse_score === PENDING).length, dropped };
    ctx.log.info(result, 'threat report written');
    if (lookup.stop?.reason === 'refused') {
      throw ctx.fail('THREAT_LOOKUP_FAILED', `${lookup.stop.message}; ${result.pending} IP(s) left pending in ${file}`);
    }
    return result;
  },
};
