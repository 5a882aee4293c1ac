import { createPipeline } from '../../pipeline/pipeline.ts';
import { threatLookup } from './lookup.ts';
import { threatSources } from './sources.ts';
import { threatWrite } from './write.ts';

export { threatLookup, threatSources, threatWrite };

/**
 * `threat-report` (issue 7): blacklisted IPs → reverse DNS + RDAP + AbuseIPDB
 * → an incremental CSV (itsUP's columns, then railyard's). A whole-stack
 * pipeline, run through the same queue and history as deploys.
 */
export const threatReportPipeline = createPipeline('threat-report', [threatSources, threatLookup, threatWrite], { scope: 'stack' });
