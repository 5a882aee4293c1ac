import type Docker from 'dockerode';
import { unreachable } from './docker.ts';
import { isPodmanHealthEvent, podmanHealth } from './podman-health.ts';

/** The `Action` of the one synthetic event a watch emits when the engine's event stream ends. */
export const STREAM_CLOSED = 'railyard: event stream closed';

/** A container event from the Docker events stream (API 1.41 shape). */
export interface ContainerEvent {
  readonly Action: string;
  readonly id: string;
  /** Nanoseconds since the epoch. */
  readonly timeNano: number;
  readonly attributes: Readonly<Record<string, string>>;
}

export interface EventWatch {
  /** Every event seen since the subscription, in order. */
  readonly seen: readonly ContainerEvent[];
  /** Calls `listener` for every past and future event; returns an unsubscribe function. */
  subscribe(listener: (event: ContainerEvent) => void): () => void;
  close(): void;
}

/**
 * Subscribes to container events matching `labels` (ANDed, `key=value`).
 * Subscribe BEFORE the action that causes the events, so none is missed: the
 * watch buffers everything from the start.
 */
export async function watchContainerEvents(docker: Docker, labels: readonly string[]): Promise<EventWatch> {
  let stream: NodeJS.ReadableStream;
  try {
    stream = await docker.getEvents({ filters: { type: ['container'], label: [...labels] } });
  } catch (error) {
    throw unreachable(docker, error);
  }
  const seen: ContainerEvent[] = [];
  const listeners = new Set<(event: ContainerEvent) => void>();
  const deliver = (event: ContainerEvent): void => {
    seen.push(event);
    for (const listener of listeners) listener(event);
  };
  // Podman: railyard runs the healthchecks itself (runtime/podman-health.ts).
  const podman = await podmanHealth(docker, labels, (Action, id, atMs) => deliver({ Action, id, timeNano: atMs * 1e6, attributes: {} }));
  let buffer = '';
  stream.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, nl).trim();
      buffer = buffer.slice(nl + 1);
      if (line === '') continue;
      const event = toEvent(JSON.parse(line) as RawEvent);
      podman?.observe(event.Action, event.id);
      if (podman === undefined || !isPodmanHealthEvent(event.Action)) deliver(event);
    }
  });
  // The engine went away (killed, restarted): waits must learn it now, not at their timeout.
  let closed = false;
  const onClosed = (): void => {
    if (closed) return;
    closed = true;
    podman?.close();
    deliver({ Action: STREAM_CLOSED, id: '', timeNano: Date.now() * 1e6, attributes: {} });
  };
  stream.on('error', onClosed);
  stream.on('end', onClosed);
  stream.on('close', onClosed);
  return {
    seen,
    subscribe(listener) {
      for (const event of seen) listener(event);
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    close() {
      closed = true;
      podman?.close();
      listeners.clear();
      (stream as NodeJS.ReadableStream & { destroy?: () => void }).destroy?.();
    },
  };
}

interface RawEvent {
  Action?: string;
  status?: string;
  id?: string;
  timeNano?: number;
  Actor?: { ID?: string; Attributes?: Record<string, string> };
}

function toEvent(raw: RawEvent): ContainerEvent {
  return {
    Action: raw.Action ?? raw.status ?? '',
    id: raw.Actor?.ID ?? raw.id ?? '',
    timeNano: raw.timeNano ?? Date.now() * 1e6,
    attributes: raw.Actor?.Attributes ?? {},
  };
}
