import { createRequire } from 'node:module';
import type * as Undici from 'undici';

/** undici is loaded when a threat report runs, not by every command that starts the runner. */
const undici = (): typeof Undici => createRequire(import.meta.url)('undici') as typeof Undici;

export interface JsonResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  /** The parsed body; undefined when it is not JSON. */
  readonly body: unknown;
}

export interface HttpClient {
  /** GET with redirects followed (rdap.org answers with one to the right registry). Rejects on network errors. */
  getJson(url: string, headers: Readonly<Record<string, string>>, signal: AbortSignal): Promise<JsonResponse>;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  /** Time allowed for the headers, then again for the body. @default 10_000 */
  readonly timeoutMs?: number;
}

/** Bodies larger than this are not parsed (an RDAP answer is a few KB). */
const MAX_BODY_BYTES = 2 * 1024 * 1024;

/** One keep-alive connection pool for a run's lookups. */
export function createHttpClient(options: HttpClientOptions = {}): HttpClient {
  const timeout = options.timeoutMs ?? 10_000;
  const { Agent, request } = undici();
  const agent = new Agent({ headersTimeout: timeout, bodyTimeout: timeout, keepAliveTimeout: 10_000 });
  return {
    async getJson(url, headers, signal) {
      const response = await request(url, { method: 'GET', headers, signal, dispatcher: agent, maxRedirections: 3 });
      const text = await readBody(response.body);
      return { status: response.statusCode, headers: response.headers, body: parseJson(text) };
    },
    close: () => agent.close(),
  };
}

async function readBody(body: AsyncIterable<Buffer> & { destroy(): void }): Promise<string | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) {
      body.destroy();
      return undefined;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string | undefined): unknown {
  if (text === undefined || text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** `Retry-After` in ms (seconds or an HTTP date); undefined when absent or unreadable. */
export function retryAfterMs(headers: JsonResponse['headers'], now = Date.now()): number | undefined {
  const raw = headers['retry-after'];
  const value = (Array.isArray(raw) ? raw[0] : raw)?.trim();
  if (value === undefined || value === '') return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}

/** A header's value as text (the first one when repeated). */
export function header(headers: JsonResponse['headers'], name: string): string | undefined {
  const raw = headers[name];
  return Array.isArray(raw) ? raw[0] : raw;
}
