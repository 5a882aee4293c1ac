import { parseBlockRequest, parseBlockTarget, portOf, refused } from '../app/blocks/parse-block.ts';
import { checkProtected } from '../app/blocks/protected.ts';
import { isRailyardError, RailyardError } from '../core/errors.ts';
import type { Block, BlockKey } from '../pipeline/block-store.ts';
import { elementText, setOf } from '../runtime/firewall/ruleset.ts';
import type { RequestContext } from './context.ts';
import { whenUnlocked } from './durable-accept.ts';
import type { Reply } from './respond.ts';

/**
 * `PUT /api/blocks/ipv4|ipv6/:ip[/:prefix]?reason=&ttl=&port=&proto=` (and
 * web-ipt-d's `PUT /chain/:chain/ipv4/:ip`): blocks the address for the
 * caller (the reporter). Stored first, then applied by the main process; the
 * answer says what the firewall did: 201 (new block) or 200 (one more or a
 * renewed report), or 503 FIREWALL_* with the block kept for the next try.
 */
export async function putBlock(ctx: RequestContext): Promise<Reply> {
  const { env } = ctx.config;
  const request = parseBlockRequest(familyOf(ctx), targetText(ctx), ctx.url.query, env.blocks);
  checkProtected(request.target, await ctx.deps.blocks.protectedRanges(env));
  const chain = chainOf(ctx);
  const reason = request.reason ?? (chain === undefined ? undefined : `chain ${chain}`);
  const expiresAt = request.ttlSeconds === undefined ? undefined : Date.now() + request.ttlSeconds * 1000;
  const { added } = whenUnlocked(() => ctx.deps.blocks.store.report({ ...request.key, reporter: ctx.source, reason, expiresAt }));
  ctx.logFields['block'] = request.key.target;
  await applied(ctx);
  const block = find(ctx, request.key);
  return { status: added ? 201 : 200, body: { added, applied: env.blocks.firewall === 'nft', block: block === undefined ? null : blockJson(block) } };
}

/**
 * `DELETE` on the same paths: withdraws the caller's report; the block is
 * lifted when no report is left. `?all=true` withdraws every reporter's.
 */
export async function deleteBlock(ctx: RequestContext): Promise<Reply> {
  const { env } = ctx.config;
  const target = parseBlockTarget(familyOf(ctx), targetText(ctx), { minPrefixV4: 0, minPrefixV6: 0 });
  const key: BlockKey = { target: target.key, family: target.version, ...portOf(ctx.url.query) };
  const all = ['1', 'true', 'yes'].includes(ctx.url.query.get('all')?.toLowerCase() ?? '');
  const current = find(ctx, key);
  if (current === undefined) throw new RailyardError('BLOCK_NOT_FOUND', `${describe(key)} is not blocked`);
  if (!all && !current.reporters.some((r) => r.reporter === ctx.source)) {
    throw new RailyardError('BLOCK_NOT_FOUND', `${describe(key)} was not reported from ${ctx.source}; ?all=true lifts every report`);
  }
  const result = whenUnlocked(() => ctx.deps.blocks.store.lift(key, all ? undefined : ctx.source));
  ctx.logFields['block'] = key.target;
  if (result?.lifted === true) await applied(ctx);
  return { status: 200, body: { lifted: result?.lifted ?? false, remaining: result?.remaining ?? [], applied: env.blocks.firewall === 'nft' } };
}

/** `GET /api/blocks`: every live block, its reporters, and the packets it dropped (null when the table is not readable). */
export async function listBlocks(ctx: RequestContext): Promise<Reply> {
  const { blocks: settings } = ctx.config.env;
  // Loaded at the first listing (it runs nft): deliveries never need it.
  const { readCounters } = await import('../runtime/firewall/counters.ts');
  const counters = settings.firewall === 'nft' ? await readCounters(settings.nft).catch(() => undefined) : undefined;
  const blocks = ctx.deps.blocks.store.active().map((block) => {
    const id = `${setOf(block)} ${elementText(block)}`;
    return { ...blockJson(block), droppedPackets: counters?.elements.get(id) ?? null };
  });
  return { status: 200, body: { firewall: settings.firewall, droppedPackets: counters?.dropped ?? null, blocks } };
}

async function applied(ctx: RequestContext): Promise<void> {
  try {
    await ctx.deps.blocks.apply();
  } catch (error) {
    if (!isRailyardError(error)) throw error;
    throw new RailyardError(error.code, `Stored, not applied yet (retried every 30 s and at start): ${error.userMessage}`, { cause: error });
  }
}

function familyOf(ctx: RequestContext): 4 | 6 {
  const family = ctx.params['family'];
  if (family !== 'ipv4' && family !== 'ipv6') throw new RailyardError('ROUTE_NOT_FOUND', 'There is no such endpoint: /ipv4/ or /ipv6/');
  return family === 'ipv6' ? 6 : 4;
}

/** `:ip`, or `:ip/:prefix` (a CIDR whose `/` was not escaped). */
function targetText(ctx: RequestContext): string {
  const ip = ctx.params['ip'] ?? '';
  const prefix = ctx.params['prefix'];
  return prefix === undefined ? ip : `${ip}/${prefix}`;
}

/** web-ipt-d's chain: railyard has one table for host and containers; the name is kept as the reason. */
function chainOf(ctx: RequestContext): string | undefined {
  const chain = ctx.params['chain'];
  if (chain !== undefined && !/^[A-Za-z0-9][A-Za-z0-9_-]{0,28}$/.test(chain)) throw refused(`chain ${JSON.stringify(chain.slice(0, 40))} is not a chain name`);
  return chain;
}

function find(ctx: RequestContext, key: BlockKey): Block | undefined {
  return ctx.deps.blocks.store.active().find((b) => b.target === key.target && b.proto === key.proto && b.port === key.port);
}

function describe(key: BlockKey): string {
  return key.port === 0 ? key.target : `${key.target} ${key.proto}/${key.port}`;
}

function blockJson(block: Block): Record<string, unknown> {
  const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());
  return {
    target: block.target,
    family: block.family,
    proto: block.proto === '' ? null : block.proto,
    port: block.port === 0 ? null : block.port,
    createdAt: iso(block.createdAt),
    expiresAt: iso(block.expiresAt),
    reporters: block.reporters.map((r) => ({ source: r.reporter, reason: r.reason ?? null, at: iso(r.createdAt), expiresAt: iso(r.expiresAt) })),
  };
}
