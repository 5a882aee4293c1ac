// A pino logger that hands each line's `msg` to a callback, so a test can act
// at a precise point of a rollout (kill the engine, abort the run).
import { Writable } from 'node:stream';
import pino, { type Logger } from 'pino';

export function watchingLogger(onMessage: (msg: string) => void): Logger {
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) onMessage((JSON.parse(line) as { msg: string }).msg);
      done();
    },
  });
  return pino({ level: 'info' }, sink);
}
