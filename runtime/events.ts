import type Docker from 'dockerode';
import { unreachable, type Clients } from './docker.ts';
import { endpointRequest, endpointUnreachable, type Endpoint } from './engine-endpoint.ts';
import { engineGet, isDocker, readSourceOf } from './engine-read.ts';
import { isPodman, isPodmanHealthEvent, podmanHealth } from './podman-health.ts';

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
 * Where a watch reads events: a dockerode client, or an engine endpoint read
 * over node:http, so a rollout subscribes (and starts compose) before
 * dockerode is loaded; `docker` builds the client for Podman's driven checks.
 */
export type EventSource = Docker | { readonly endpoint: Endpoint; readonly docker: () => Docker };

/** The plain-HTTP event source for clients lazyClients built; the dockerode client otherwise (tests' clients, https engines). */
export function eventSourceOf(clients: Clients): EventSource {
  const source = readSourceOf(clients);
  return isDocker(source) ? source : { endpoint: source.endpoint, docker: () => clients.docker };
}

/**
 * Subscribes to container events matching `labels` (ANDed, `key=value`).
 * Subscribe BEFORE the action that causes the events, so none is missed: the
 * watch buffers everything from the start.
 */
export async function watchContainerEvents(source: EventSource, labels: readonly string[]): Promise<EventWatch> {
  const filters = { type: ['container'], label: [...labels] };
  const [stream, podmanEngine] = await Promise.all([openStream(source, filters), isPodmanSource(source)]);
  const seen: ContainerEvent[] = [];
  const listeners = new Set<(event: ContainerEvent) => void>();
  const deliver = (event: ContainerEvent): void => {
    seen.push(event);
    for (const listener of listeners) listener(event);
  };
  // Podman: railyard runs the healthchecks itself (runtime/podman-health.ts).
  const podman = podmanEngine
    ? await podmanHealth(clientOf(source), labels, (Action, id, atMs) => deliver({ Action, id, timeNano: atMs * 1e6, attributes: {} }))
    : undefined;
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

function clientOf(source: EventSource): Docker {
  return isDocker(source) ? source : source.docker();
}

/** Podman is detected by its /version (runtime/podman-health.ts asks the same for a client). */
async function isPodmanSource(source: EventSource): Promise<boolean> {
  if (isDocker(source)) return isPodman(source);
  const version = await engineGet<{ Components?: { Name?: string }[] }>(source, '/version', (docker) => docker.version()).catch(() => undefined);
  return (version?.Components ?? []).some((c) => c.Name === 'Podman Engine');
}

async function openStream(source: EventSource, filters: Record<string, string[]>): Promise<NodeJS.ReadableStream> {
  if (isDocker(source)) {
    try {
      return await source.getEvents({ filters });
    } catch (error) {
      throw unreachable(source, error);
    }
  }
  const { endpoint } = source;
  return new Promise((resolve, reject) => {
    const fail = (reason: string, cause?: unknown): void => reject(endpointUnreachable(endpoint, reason, cause));
    const req = endpointRequest(endpoint, { path: `/events?filters=${encodeURIComponent(JSON.stringify(filters))}`, method: 'GET' }, (res) => {
      if (res.statusCode === 200) return resolve(res);
      res.resume();
      fail(`HTTP ${String(res.statusCode)} for /events`);
    });
    req.on('error', (error: NodeJS.ErrnoException) => fail(error.code ?? error.message, error));
    req.end();
  });
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
