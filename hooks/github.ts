import type { IncomingMessage } from 'node:http';
import { RailyardError } from '../core/errors.ts';
import { refusal } from './authenticate.ts';
import { readBody } from './body.ts';
import type { RequestContext } from './context.ts';
import { pushDecision, type Decision } from './github-push.ts';
import { workflowJobDecision } from './github-workflow-job.ts';
import type { DeliveryResult } from './metrics.ts';
import type { Reply } from './respond.ts';
import { signatureMatches } from './signature.ts';

/**
 * `POST /hook`: GitHub webhooks. In this order, and nothing is parsed before
 * the signature holds: content type (415), size (413), HMAC over the raw bytes
 * (401), JSON (400), then the event. A trigger is journaled with its delivery
 * before the 202, and a delivery seen before (also before a restart) is
 * answered 200 duplicate by the runner, in the same transaction. The deploy is
 * never waited for (GitHub gives up after 10 s).
 */
export async function githubHook(ctx: RequestContext): Promise<Reply> {
  let event = 'unverified';
  const count = (result: DeliveryResult): void => ctx.deps.metrics.delivery(event, result);
  try {
    const body = await verifiedBody(ctx);
    event = header(ctx.req, 'x-github-event') ?? '';
    const id = header(ctx.req, 'x-github-delivery');
    const hook = header(ctx.req, 'x-github-hook-id') ?? '';
    if (event === '' || id === undefined || id.length > 200 || hook.length > 200) {
      throw new RailyardError('PAYLOAD_INVALID', 'A GitHub delivery needs the X-GitHub-Event and X-GitHub-Delivery headers');
    }
    Object.assign(ctx.logFields, { event, delivery: id });
    const decision = await decide(event, parseJson(body), ctx);
    if ('ignored' in decision) return answer(ctx, count, 'ignored', { status: 200, body: { ignored: decision.ignored } });
    if ('zen' in decision) return answer(ctx, count, 'ignored', { status: 200, body: { zen: decision.zen } });
    const accepted = await ctx.deps.triggers.accept({ ...decision.request, delivery: { hook, id } });
    ctx.logFields['runId'] = accepted.runId;
    if (accepted.duplicate) return answer(ctx, count, 'duplicate', { status: 200, body: { duplicate: true, runId: accepted.runId || null } });
    const body202 = event === 'push'
      ? { runId: accepted.runId }
      : { runId: accepted.runId, project: accepted.project, service: accepted.service ?? null, status: accepted.status };
    return answer(ctx, count, 'accepted', { status: 202, body: body202 });
  } catch (error) {
    const code = (error as RailyardError).code;
    count(event === 'unverified' && (code === 'SIGNATURE_INVALID' || code === 'RATE_LIMITED') ? 'rejected' : 'invalid');
    throw error;
  }
}

/** The raw body, once it is JSON by type, small enough and signed with the webhook secret. */
async function verifiedBody(ctx: RequestContext): Promise<Buffer> {
  const { env } = ctx.config;
  const type = (ctx.req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    throw new RailyardError('PAYLOAD_UNSUPPORTED_TYPE', 'Only JSON deliveries are accepted: set the webhook\'s content type to application/json');
  }
  // Until its signature holds, the body is a stranger's: its memory comes from a bounded budget.
  const lease = ctx.deps.unverified.lease(ctx.source, { total: env.hookUnauthMemory, perSource: env.hookUnauthPerSource });
  try {
    const body = await readBody(ctx.req, env.hookMaxBody, lease);
    if (!signatureMatches(env.githubWebhookSecret ?? '', body, ctx.req.headers['x-hub-signature-256'])) {
      throw refusal(ctx, new RailyardError('SIGNATURE_INVALID', 'X-Hub-Signature-256 is missing or does not match: check the webhook secret (GITHUB_WEBHOOK_SECRET, or API_KEY)'));
    }
    return body;
  } finally {
    lease.release();
  }
}

async function decide(event: string, payload: Readonly<Record<string, unknown>>, ctx: RequestContext): Promise<Decision | { zen: unknown }> {
  switch (event) {
    case 'ping':
      return { zen: payload['zen'] ?? null };
    case 'push':
      return pushDecision(payload, ctx.config.env);
    case 'workflow_job':
      return workflowJobDecision(payload, ctx.url.query, ctx.config.db);
    default:
      return { ignored: `event ${event} is not handled (push, workflow_job, ping are)` };
  }
}

/** JSON; a UTF-8 byte order mark (some proxies and tools add one) is taken off first. */
function parseJson(body: Buffer): Readonly<Record<string, unknown>> {
  let value: unknown;
  const bom = body.length >= 3 && body[0] === 0xef && body[1] === 0xbb && body[2] === 0xbf;
  try {
    value = JSON.parse((bom ? body.subarray(3) : body).toString('utf8'));
  } catch {
    throw new RailyardError('PAYLOAD_INVALID', 'The body is not valid JSON');
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new RailyardError('PAYLOAD_INVALID', 'The body must be a JSON object');
  return value as Record<string, unknown>;
}

function answer(ctx: RequestContext, count: (result: DeliveryResult) => void, result: DeliveryResult, reply: Reply): Reply {
  count(result);
  ctx.logFields['result'] = result;
  return reply;
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  const text = Array.isArray(value) ? value[0] : value;
  return text === undefined || text.trim() === '' ? undefined : text.trim();
}
