import { createPipeline } from '../../pipeline/pipeline.ts';
import { threatGeoip } from './geoip.ts';
import { threatLookup } from './lookup.ts';
import { threatSources } from './sources.ts';
import { threatWrite } from './write.ts';

export { threatGeoip, threatLookup, threatSources, threatWrite };

/**
 * `threat-report` (issue 7): blacklisted IPs → reverse DNS + RDAP + AbuseIPDB
 * → GeoIP (GEOIP_DB) → an incremental CSV (itsUP's columns, then railyard's)
 * and its NDJSON copy in ECS names (issue 15). A whole-stack
 * pipeline, run through the same queue and history as deploys.
 */
export const threatReportPipeline = createPipeline('threat-report', [threatSources, threatLookup, threatGeoip, threatWrite], { scope: 'stack' });
