import type Docker from 'dockerode';
import { unreachable } from './docker.ts';
import { engineGet, type EngineSource } from './engine-read.ts';

/** The external network every routed service and Traefik share. */
export const PROXY_NETWORK = 'proxynet';

/** Creates the bridge network `name` when it is missing; returns true when it was created. */
export async function ensureNetwork(docker: Docker, name = PROXY_NETWORK): Promise<boolean> {
  try {
    const existing = await docker.listNetworks({ filters: { name: [name] } });
    if (existing.some((n) => n.Name === name)) return false;
    await docker.createNetwork({ Name: name, Driver: 'bridge', CheckDuplicate: true });
    return true;
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    if (status === 409) return false; // created concurrently
    throw unreachable(docker, error);
  }
}

/** The subnets of the networks named `name` (proxynet's, for the block API's refusals); [] when there is none. */
export async function networkSubnets(docker: Docker, name = PROXY_NETWORK): Promise<string[]> {
  try {
    const networks = await docker.listNetworks({ filters: { name: [name] } });
    return networks.filter((n) => n.Name === name).flatMap((n) => (n.IPAM?.Config ?? []).map((c) => c.Subnet ?? '')).filter((s) => s !== '');
  } catch (error) {
    throw unreachable(docker, error);
  }
}

/** Every network on the engine with its IPv4 subnets (one API call), for choosing project subnets. */
export async function engineNetworks(engine: EngineSource): Promise<{ name: string; subnets: string[] }[]> {
  const networks = await engineGet<Docker.NetworkInspectInfo[]>(engine, '/networks', (docker) => docker.listNetworks());
  return networks.map((n) => ({
    name: n.Name,
    subnets: (n.IPAM?.Config ?? []).map((c) => c.Subnet).filter((s): s is string => typeof s === 'string' && s.includes('.')),
  }));
}
