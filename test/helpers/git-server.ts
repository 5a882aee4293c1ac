// A real git smart-HTTP server for tests: `git http-backend` (CGI) behind
// node:http, serving the bare repositories under `root`, on a free port.
// isomorphic-git speaks exactly this protocol to GitHub, Gitea and GitLab.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startLocalServer } from './local-server.ts';

export interface GitServerOptions {
  /** Folder holding bare repositories (`<name>.git`). */
  readonly root: string;
  /** When set, every request needs HTTP Basic auth whose password (or username) is this token. */
  readonly token?: string;
  /** With token: the username must be this too (a Bitbucket-style server). */
  readonly username?: string;
  /** Called before each request is served; a test may hold it to make the server slow. */
  readonly beforeRequest?: (request: { readonly url: string; readonly method: string }) => Promise<void> | void;
  /**
   * Slows the response body of the requests it returns a pace for: `bytes`
   * every `everyMs` (a server on a dying link that never quite stops).
   */
  readonly trickle?: (request: { readonly url: string; readonly method: string }) => Trickle | undefined;
}

export interface Trickle {
  readonly bytes: number;
  readonly everyMs: number;
}

export interface GitServer {
  /** `http://127.0.0.1:<port>/<repo>` for a bare repository under root. */
  url(repo: string): string;
  /** Requests served so far (method and path, never headers). */
  readonly requests: readonly string[];
  close(): Promise<void>;
}

export async function startGitServer(options: GitServerOptions): Promise<GitServer> {
  const requests: string[] = [];
  const server = await startLocalServer((req, res) => {
    requests.push(`${req.method ?? 'GET'} ${req.url ?? '/'}`);
    return serve(options, req, res);
  });
  return { url: (repo) => `${server.url}${repo}`, requests, close: server.close };
}

async function serve(options: GitServerOptions, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const request = { url: url.pathname + url.search, method: req.method ?? 'GET' };
  await options.beforeRequest?.(request);
  if (options.token !== undefined && !authorized(req, options.token, options.username)) {
    req.resume();
    res.writeHead(401, { 'WWW-Authenticate': 'Basic realm="git"' }).end('authentication required\n');
    return;
  }
  const child = spawn('git', ['http-backend'], {
    env: {
      PATH: process.env['PATH'] ?? '/usr/bin:/bin',
      GIT_PROJECT_ROOT: options.root,
      GIT_HTTP_EXPORT_ALL: '1',
      GATEWAY_INTERFACE: 'CGI/1.1',
      REQUEST_METHOD: req.method ?? 'GET',
      PATH_INFO: decodeURIComponent(url.pathname),
      QUERY_STRING: url.search.slice(1),
      CONTENT_TYPE: req.headers['content-type'] ?? '',
      HTTP_CONTENT_ENCODING: req.headers['content-encoding'] ?? '',
      HTTP_GIT_PROTOCOL: String(req.headers['git-protocol'] ?? ''),
      REMOTE_ADDR: req.socket.remoteAddress ?? '127.0.0.1',
      REMOTE_USER: 'test',
    },
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  req.pipe(child.stdin);
  await relayCgi(child.stdout, res, options.trickle?.(request));
  await once(child, 'close');
}

function authorized(req: IncomingMessage, token: string, username: string | undefined): boolean {
  const header = req.headers.authorization ?? '';
  if (!header.startsWith('Basic ')) return false;
  const [user, ...rest] = Buffer.from(header.slice(6), 'base64').toString('utf8').split(':');
  if (username !== undefined) return user === username && rest.join(':') === token;
  return rest.join(':') === token || user === token;
}

/** Turns a CGI response (headers, blank line, body) into an HTTP response. */
async function relayCgi(stdout: NodeJS.ReadableStream, res: ServerResponse, trickle: Trickle | undefined): Promise<void> {
  let head = Buffer.alloc(0);
  let started = false;
  const write = async (data: Buffer): Promise<void> => {
    if (trickle === undefined) {
      res.write(data);
      return;
    }
    for (let at = 0; at < data.length && !res.destroyed; at += trickle.bytes) {
      res.write(data.subarray(at, at + trickle.bytes));
      await sleep(trickle.everyMs);
    }
  };
  for await (const chunk of stdout as AsyncIterable<Buffer>) {
    if (started) {
      await write(chunk);
      continue;
    }
    head = Buffer.concat([head, chunk]);
    const end = head.indexOf('\r\n\r\n') >= 0 ? head.indexOf('\r\n\r\n') : head.indexOf('\n\n');
    if (end < 0) continue;
    const separator = head.indexOf('\r\n\r\n') === end ? 4 : 2;
    const headers: Record<string, string> = {};
    let status = 200;
    for (const line of head.subarray(0, end).toString('latin1').split(/\r?\n/)) {
      const colon = line.indexOf(':');
      const name = line.slice(0, colon).trim();
      const value = line.slice(colon + 1).trim();
      if (name.toLowerCase() === 'status') status = Number.parseInt(value, 10);
      else headers[name] = value;
    }
    res.writeHead(status, headers);
    res.flushHeaders();
    await write(head.subarray(end + separator));
    started = true;
  }
  if (!started) res.writeHead(502);
  res.end();
}
