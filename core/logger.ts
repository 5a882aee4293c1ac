import { Writable } from 'node:stream';
import type { Logger } from 'pino';
import { createRequire } from 'node:module';
import type PinoPretty from 'pino-pretty';

export type { Logger } from 'pino';

/** Object paths whose values never reach a log line. */
export const REDACT_PATHS = [
  'apiKey', 'apikey', 'token', 'secret', 'password', 'authorization', 'gitToken', 'secretAccessKey',
  '*.apiKey', '*.apikey', '*.token', '*.secret', '*.password', '*.authorization', '*.gitToken', '*.secretAccessKey',
  'headers.authorization', 'headers["x-api-key"]', 'headers["x-hub-signature-256"]',
  'req.headers.authorization', 'req.headers["x-api-key"]', 'req.headers["x-hub-signature-256"]',
];

export interface LoggerOptions {
  /** @default 'info' */
  readonly level?: string;
  /** Secret values (API key, tokens) scrubbed from every line, wherever they appear. */
  readonly secrets?: readonly string[];
  /** @default process.stderr */
  readonly destination?: NodeJS.WritableStream;
  /** Human-readable lines. @default destination is a TTY */
  readonly pretty?: boolean;
  /** Also receives every line as scrubbed JSON (e.g. a run's stored log). */
  readonly tap?: (line: string) => void;
}

/**
 * The one root logger. Redaction works on two levels: pino's `redact` for known
 * fields, and a final pass over each serialised line that removes the secret
 * values themselves, `apikey=` query values, Bearer tokens and URL credentials,
 * so a secret inside an error message or URL is caught too.
 */
export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const isPretty = options.pretty ?? Boolean((destination as { isTTY?: boolean }).isTTY);
  const sink = isPretty ? prettyStream()({ destination: survivable(destination), sync: true, colorize: true, ignore: 'pid,hostname' }) : destination;
  const scrub = scrubber(options.secrets ?? []);
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      const line = scrub(chunk.toString('utf8'));
      options.tap?.(line);
      writeLine(sink, line);
      done();
    },
  });
  return pinoModule()({ level: options.level ?? 'info', redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, stream);
}

/** pino, loaded by the first logger made (its worker-thread transport machinery costs ~30 ms of a start-up). */
function pinoModule(): typeof import('pino').default {
  return createRequire(import.meta.url)('pino') as typeof import('pino').default;
}

/** pino-pretty and its dependencies load only for a terminal (~5 MB in each thread otherwise). */
function prettyStream(): typeof PinoPretty {
  return createRequire(import.meta.url)('pino-pretty') as typeof PinoPretty;
}

/**
 * Streams whose failures were made harmless. A log line that cannot be
 * written (stderr a pipe nobody reads: EPIPE; a file on a full disk: ENOSPC)
 * is dropped: logging must never kill the process (issue 12), and there is
 * nowhere left to say so.
 */
const survivors = new WeakSet<NodeJS.WritableStream>();

function survivable<S extends NodeJS.WritableStream>(stream: S): S {
  if (!survivors.has(stream)) {
    survivors.add(stream);
    stream.on('error', () => undefined);
  }
  return stream;
}

/** Writes one line where failures are dropped: the error event, and a synchronous throw (a file's SyncWriteStream). */
export function writeLine(stream: NodeJS.WritableStream, line: string): void {
  try {
    const target = survivable(stream);
    if ((target as { destroyed?: boolean }).destroyed !== true) target.write(line);
  } catch {
    // dropped: see survivable
  }
}

/** Returns a function removing secrets from a piece of text. */
export function scrubber(secrets: readonly string[]): (text: string) => string {
  const escaped = secrets.filter((s) => s.length >= 4).map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  const values = escaped.length > 0 ? new RegExp(escaped.join('|'), 'g') : undefined;
  return (text) => {
    let out = text
      .replace(/(apikey=)[^&\s"'\\]+/gi, '$1[redacted]')
      .replace(/(bearer\s+)[^\s"'\\]+/gi, '$1[redacted]')
      .replace(/(\/\/)[^/\s:@"]+:[^/\s@"]+@/g, '$1[redacted]@');
    if (values) out = out.replace(values, '[redacted]');
    return out;
  };
}
