// A real S3 HTTP server for tests: s3rver in a child process on a free port,
// storing objects in a folder. The child runs with --openssl-legacy-provider:
// s3rver encrypts list continuation tokens with DES, which Node 20's OpenSSL 3
// refuses otherwise (every listing past 1,000 keys would fail). Killing the
// child is a real crash; a new server on the same folder sees what was stored.
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { S3Client } from '@aws-sdk/client-s3';

export interface S3ServerOptions {
  /** Where objects are stored; a new temporary folder by default. Reuse one to "restart" a server. */
  readonly directory?: string;
  /** @default 'backups' */
  readonly bucket?: string;
  /** The server process kills itself (SIGKILL) on the first request whose `METHOD /path?query` matches. */
  readonly crashOn?: RegExp;
}

export interface S3Server {
  readonly url: string;
  readonly bucket: string;
  readonly directory: string;
  /** A client for the test's own checks (path-style, checksums only when required). */
  readonly client: S3Client;
  /** The AWS_* variables that point railyard at this server. */
  readonly env: Readonly<Record<string, string>>;
  /** `METHOD /path?query` of each request, in order. */
  readonly requests: readonly string[];
  /** Resolves when the server process has exited. */
  readonly exited: Promise<void>;
  /** SIGKILLs the server process, mid-request if need be. */
  kill(): Promise<void>;
  close(): Promise<void>;
}

export const S3_KEY = 'S3RVER';

const SERVER = `
const [directory, bucket, crashOn] = process.argv.slice(1);
const S3rver = require(process.env.S3RVER_MODULE);
const http = require('node:http');
const s3rver = new S3rver({ directory, silent: process.env.S3RVER_VERBOSE !== '1', configureBuckets: [{ name: bucket }] });
const handle = s3rver.callback();
const crash = crashOn ? new RegExp(crashOn) : undefined;
s3rver.configureBuckets().then(() => {
  const server = http.createServer((req, res) => {
    const line = req.method + ' ' + req.url;
    process.stdout.write('request ' + line + '\\n');
    if (crash && crash.test(line)) process.kill(process.pid, 'SIGKILL');
    handle(req, res);
  });
  server.listen(0, '127.0.0.1', () => process.stdout.write('port ' + server.address().port + '\\n'));
});`;

export async function startS3Server(options: S3ServerOptions = {}): Promise<S3Server> {
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'railyard-s3-')));
  const bucket = options.bucket ?? 'backups';
  const child = spawn(process.execPath, ['--openssl-legacy-provider', '-e', SERVER, directory, bucket, options.crashOn?.source ?? ''], {
    env: { ...process.env, S3RVER_MODULE: createRequire(import.meta.url).resolve('s3rver') },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const exited = once(child, 'exit').then(() => undefined);
  const requests: string[] = [];
  const port = await new Promise<number>((resolve, reject) => {
    createInterface({ input: child.stdout }).on('line', (line) => {
      if (line.startsWith('port ')) resolve(Number(line.slice(5)));
      else if (line.startsWith('request ')) requests.push(line.slice(8));
    });
    void exited.then(() => reject(new Error('s3rver exited before listening')));
  });
  const url = `http://127.0.0.1:${port}`;
  const client = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: S3_KEY, secretAccessKey: S3_KEY },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
  };
  return {
    url,
    bucket,
    directory,
    client,
    env: { AWS_S3_HOST: url, AWS_S3_BUCKET: bucket, AWS_S3_REGION: 'us-east-1', AWS_ACCESS_KEY_ID: S3_KEY, AWS_SECRET_ACCESS_KEY: S3_KEY },
    requests,
    exited,
    kill,
    async close() {
      client.destroy();
      await kill();
    },
  };
}
