import type Docker from 'dockerode';
import { engineGet, listQuery, type EngineSource } from './engine-read.ts';
import { LABEL_PROJECT, LABEL_SERVICE } from './containers.ts';

/** A container as Traefik's docker provider sees it: its state, health and address on one network. */
export interface BackendContainer {
  readonly name: string;
  readonly project: string;
  readonly service: string;
  /** running | created | restarting | exited | paused | dead | removing */
  readonly state: string;
  /** From the list call's status text; `none` without a healthcheck. */
  readonly health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  /** Its IPv4 address on the network asked for, when it is attached to it. */
  readonly ip: string | undefined;
}

/**
 * Every compose container (all states) with its address on `network`, in ONE
 * list call: Traefik's docker provider dials that address (the network named
 * by `traefik.docker.network`) on the port its labels name.
 */
export async function listBackends(engine: EngineSource, network: string): Promise<BackendContainer[]> {
  const options = { all: true, filters: { label: [LABEL_PROJECT] } };
  const list = await engineGet<Docker.ContainerInfo[]>(engine, `/containers/json${listQuery(options)}`, (docker) => docker.listContainers(options));
  return list.map((info) => {
    const labels = info.Labels ?? {};
    const ip = info.NetworkSettings?.Networks?.[network]?.IPAddress;
    return {
      name: (info.Names[0] ?? info.Id).replace(/^\//, ''),
      project: labels[LABEL_PROJECT] ?? '',
      service: labels[LABEL_SERVICE] ?? '',
      state: info.State,
      health: info.Status.includes('(healthy)') ? 'healthy' : info.Status.includes('(unhealthy)') ? 'unhealthy' : info.Status.includes('(health: starting)') ? 'starting' : 'none',
      ip: ip === undefined || ip === '' ? undefined : ip,
    };
  });
}
