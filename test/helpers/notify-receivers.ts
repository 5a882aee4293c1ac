// Local HTTP receivers for notification tests: one that records and answers
// 200, one that answers 500, one that never answers, one that redirects.
import type { IncomingHttpHeaders } from 'node:http';
import { startLocalServer, type LocalServer } from './local-server.ts';

export interface Received {
  readonly path: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  readonly at: number;
}

export interface Receiver extends LocalServer {
  readonly received: Received[];
}

/** Answers every POST with `status` (and `headers`), or never when `status` is 'hang'. */
export async function startReceiver(status: number | 'hang' = 200, headers: Record<string, string> = {}): Promise<Receiver> {
  const received: Received[] = [];
  const server = await startLocalServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    received.push({ path: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() });
    if (status === 'hang') return; // never answers; close() cuts the connection
    res.writeHead(status, headers);
    res.end(status < 300 ? 'ok' : 'no');
  });
  return { ...server, received };
}
