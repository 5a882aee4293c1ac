/**
 * P5: the threat report for 1,000 new IPs against local DNS, RDAP and
 * AbuseIPDB servers that each answer after 50 ms (target ≥ 10× faster than a
 * sequential loop, and never above the configured AbuseIPDB rate). Measured in
 * the same run:
 * - railyard: the `threat-report` pipeline through the runner, as
 *   `railyard threat-report` runs it (sources, lookups, atomic CSV write);
 * - baseline: itsUP's loop, one IP after the other, reverse DNS then RDAP then
 *   AbuseIPDB, with the same clients.
 * The rate is counted where it matters, at the AbuseIPDB server: the most
 * requests that arrived in any window of the configured interval.
 * Run: node --import tsx bench/threat-report.ts
 *   BENCH_IPS=N (1000), BENCH_LATENCY_MS (50), BENCH_CONCURRENCY (20), BENCH_RATE (150/s),
 *   BENCH_BASELINE_IPS=N to time the loop on the first N IPs only and extrapolate.
 */
import { loadEnv } from '../config/env.ts';
import { AbuseIpdb } from '../steps/threat-report/abuseipdb.ts';
import { createHttpClient } from '../steps/threat-report/http.ts';
import { parseTarget } from '../steps/threat-report/ip.ts';
import { lookupRdap } from '../steps/threat-report/rdap.ts';
import { createReverseDns } from '../steps/threat-report/rdns.ts';
import { readRows, runThreatReport, startThreatStack, ABUSEIPDB_KEY, type ThreatStack } from '../test/helpers/threat-report.ts';
import { maxRequestsInWindow } from '../test/helpers/threat-apis.ts';

const IPS = Number(process.env['BENCH_IPS'] ?? 1000);
const LATENCY_MS = Number(process.env['BENCH_LATENCY_MS'] ?? 50);
const CONCURRENCY = process.env['BENCH_CONCURRENCY'] ?? '20';
const RATE = process.env['BENCH_RATE'] ?? '150/s';
const BASELINE_IPS = Math.min(IPS, Number(process.env['BENCH_BASELINE_IPS'] ?? IPS));
// The limit exactly as railyard reads ABUSEIPDB_RATE.
const LIMIT = loadEnv({ root: process.cwd(), environ: { ABUSEIPDB_RATE: RATE } }).threat.abuseipdbRate;

// Distinct public addresses, 250 per /24 (so every row also gets a shared /16).
const ips = Array.from({ length: IPS }, (_, i) => `45.${Math.floor(i / 62_500)}.${Math.floor(i / 250) % 250}.${(i % 250) + 1}`);

async function stack(): Promise<ThreatStack> {
  return startThreatStack(`${ips.join('\n')}\n`, {
    dns: { latencyMs: LATENCY_MS, ptr: Object.fromEntries(ips.filter((_, i) => i % 2 === 0).map((ip) => [ip, `host-${ip.replaceAll('.', '-')}.example`])) },
    rdap: { latencyMs: LATENCY_MS, records: Object.fromEntries(ips.map((ip) => [ip, { name: 'BENCH-NET', org: 'Bench Hosting', country: 'NL', abuseEmail: 'abuse@bench.example' }])) },
    abuseipdb: { latencyMs: LATENCY_MS },
  });
}

async function railyard(): Promise<{ ms: number; maxInWindow: number; rows: number }> {
  const servers = await stack();
  try {
    const environ = { ...servers.environ, THREAT_CONCURRENCY: CONCURRENCY, ABUSEIPDB_RATE: RATE, LOG_LEVEL: 'warn' };
    const started = performance.now();
    const { run } = await runThreatReport(servers.root, environ);
    const ms = performance.now() - started;
    if (run.status !== 'succeeded') throw new Error(`run failed: ${JSON.stringify(run.error)}`);
    const rows = (await readRows(servers.report)).filter((r) => r['abuse_score'] === '0').length;
    return { ms, maxInWindow: maxRequestsInWindow(servers.abuseipdb.requests, LIMIT.intervalMs), rows };
  } finally {
    await servers.close();
  }
}

/** itsUP's loop: one IP at a time, each lookup after the other. */
async function sequential(): Promise<{ ms: number; maxInWindow: number }> {
  const servers = await stack();
  const http = createHttpClient();
  const rdns = createReverseDns({ servers: [servers.dns.address] });
  const abuseipdb = new AbuseIpdb({ http, baseUrl: servers.abuseipdb.url, apiKey: ABUSEIPDB_KEY, rate: LIMIT });
  const signal = new AbortController().signal;
  try {
    const started = performance.now();
    for (const ip of ips.slice(0, BASELINE_IPS)) {
      await rdns.lookup(ip, signal);
      await lookupRdap({ http, baseUrl: servers.rdap.url }, parseTarget(ip)!, signal);
      await abuseipdb.check(ip, signal);
    }
    const ms = ((performance.now() - started) * IPS) / BASELINE_IPS;
    return { ms, maxInWindow: maxRequestsInWindow(servers.abuseipdb.requests, LIMIT.intervalMs) };
  } finally {
    abuseipdb.close();
    rdns.close();
    await http.close();
    await servers.close();
  }
}

console.log(`P5 threat report: ${IPS} new IPs, ${LATENCY_MS} ms per DNS/RDAP/AbuseIPDB answer, THREAT_CONCURRENCY=${CONCURRENCY}, ABUSEIPDB_RATE=${RATE}`);
const ours = await railyard();
console.log(`railyard pipeline:   ${(ours.ms / 1000).toFixed(2)} s  (${(IPS / (ours.ms / 1000)).toFixed(0)} IPs/s, ${ours.rows} rows looked up)`);
const loop = await sequential();
const note = BASELINE_IPS < IPS ? ` (timed on ${BASELINE_IPS} IPs, extrapolated)` : '';
console.log(`sequential loop:     ${(loop.ms / 1000).toFixed(2)} s${note}`);
const speedup = loop.ms / ours.ms;
console.log(`speed-up:            ${speedup.toFixed(1)}x  (target >= 10x: ${speedup >= 10 ? 'met' : 'MISSED'})`);
console.log(`AbuseIPDB rate:      max ${ours.maxInWindow} requests in any ${LIMIT.intervalMs} ms window, cap ${LIMIT.cap} (${ours.maxInWindow <= LIMIT.cap ? 'never above' : 'ABOVE THE CAP'}); the loop's max: ${loop.maxInWindow}`);
