import type { CityResponse, Reader } from 'maxmind';
import type { Logger } from '../../core/logger.ts';
import type { Step } from '../../pipeline/types.ts';
import { formatTarget, type Target } from './ip.ts';
import { threatSources } from './sources.ts';

/** The report's GeoIP columns (appended after itsUP's and railyard's own). */
export interface GeoColumns {
  readonly geo_country: string;
  readonly geo_city: string;
  readonly geo_latitude: string;
  readonly geo_longitude: string;
}

export interface ThreatGeoipResult {
  /** Columns per target key, for targets the database knows. */
  readonly found: ReadonlyMap<string, GeoColumns>;
  /** Why the database gave nothing (missing, corrupt); the report still completes. */
  readonly warning: string | undefined;
}

/** Looks every target up in GEOIP_DB (a MaxMind City database); a network by its first address. */
export const threatGeoip: Step<'threat-geoip', ThreatGeoipResult> = {
  name: 'threat-geoip',
  needs: [threatSources],
  async run(ctx) {
    const file = ctx.env.threat.geoipDb;
    const found = new Map<string, GeoColumns>();
    if (file === undefined) return { found, warning: undefined };
    const { targets } = ctx.resultOf(threatSources);
    const warning = await geoLookup(file, targets.map((t) => t.target), found);
    if (warning !== undefined) ctx.log.warn({ file, warning }, 'GeoIP database unusable: the report has empty geo columns');
    else ctx.log.info({ file, found: found.size, targets: targets.length }, 'GeoIP looked up');
    return { found, warning };
  },
};

/** Fills `found`; returns a warning when the database cannot be read (then `found` is left empty). */
export async function geoLookup(file: string, targets: readonly Target[], found: Map<string, GeoColumns>, log?: Logger): Promise<string | undefined> {
  let reader: Reader<CityResponse>;
  try {
    // Loaded here, not at start-up: every `apply` loads this pipeline's module (issue 17 item 4).
    const { default: maxmind } = await import('maxmind');
    reader = await maxmind.open<CityResponse>(file, { watchForUpdates: false });
    checkDoubles(reader);
  } catch (error) {
    return `cannot open ${file}: ${(error as Error).message}`;
  }
  try {
    for (const target of targets) {
      const record = reader.get(formatTarget(target.version, target.start));
      if (record !== null) found.set(target.key, columns(record));
    }
  } catch (error) {
    found.clear();
    log?.debug({ err: error }, 'GeoIP lookup failed');
    return `${file} is corrupt: ${(error as Error).message}`;
  }
  return undefined;
}

function columns(record: CityResponse): GeoColumns {
  const { latitude, longitude } = record.location ?? {};
  const plausible = (value: number | undefined, limit: number): boolean => value !== undefined && Number.isFinite(value) && Math.abs(value) <= limit;
  const located = plausible(latitude, 90) && plausible(longitude, 180);
  return {
    geo_country: record.country?.iso_code ?? '',
    geo_city: record.city?.names?.en ?? '',
    geo_latitude: located ? String(latitude) : '',
    geo_longitude: located ? String(longitude) : '',
  };
}

/**
 * The MaxMind DB format says a double is exactly 8 bytes; mmdb-lib reads 8
 * whatever the size field says, so a database written with other sizes gives
 * coordinates like 1.8e-52 instead of an error. The check sits on the
 * decoder of this one reader (when the library has one where it had it).
 */
function checkDoubles(reader: Reader<CityResponse>): void {
  const decoder = (reader as unknown as { decoder?: { decodeByType?: (type: number, offset: number, size: number) => unknown } }).decoder;
  const original = decoder?.decodeByType;
  if (decoder === undefined || original === undefined) return;
  const DOUBLE = 3;
  decoder.decodeByType = (type, offset, size) => {
    if (type === DOUBLE && size !== 8) throw new Error(`a double of ${size} bytes at offset ${offset} (the format says 8)`);
    return original.call(decoder, type, offset, size);
  };
}
