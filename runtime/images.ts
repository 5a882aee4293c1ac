import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { RailyardError } from '../core/errors.ts';
import { unreachable } from './docker.ts';
import { engineGet, type EngineSource } from './engine-read.ts';

/** `busybox` → `busybox:latest`; references with a tag or digest are kept. */
export function normalizeRef(ref: string): string {
  if (ref.includes('@')) return ref;
  const lastSlash = ref.lastIndexOf('/');
  return ref.slice(lastSlash + 1).includes(':') ? ref : `${ref}:latest`;
}

/**
 * Local image IDs by reference (`repo:tag` and `repo@digest`), from ONE
 * Docker API call (plain HTTP when `engine` is an endpoint); used to tell whether a tag moved under a running container.
 */
export async function localImageIds(engine: EngineSource): Promise<Map<string, string>> {
  const images = await engineGet<Docker.ImageInfo[]>(engine, '/images/json', (docker) => docker.listImages());
  const ids = new Map<string, string>();
  for (const image of images) {
    for (const ref of [...(image.RepoTags ?? []), ...(image.RepoDigests ?? [])]) {
      ids.set(ref, image.Id);
      if (ref.startsWith('docker.io/library/')) ids.set(ref.slice('docker.io/library/'.length), image.Id);
    }
  }
  return ids;
}

/** The registry host of an image reference (`docker.io` for Docker Hub names). */
export function registryOf(ref: string): string {
  const first = ref.split('/')[0] ?? '';
  return ref.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost') ? first : 'docker.io';
}

/** Credentials for `registry` from the Docker config file (`$DOCKER_CONFIG/config.json`), when present. */
export async function registryAuth(registry: string, configDir: string): Promise<Docker.AuthConfig | undefined> {
  let config: { auths?: Record<string, { auth?: string }> };
  try {
    config = JSON.parse(await readFile(join(configDir, 'config.json'), 'utf8')) as typeof config;
  } catch {
    return undefined;
  }
  const keys = registry === 'docker.io' ? ['https://index.docker.io/v1/', 'docker.io', 'index.docker.io'] : [registry, `https://${registry}`, `http://${registry}`];
  const entry = keys.map((key) => config.auths?.[key]).find((e) => e?.auth !== undefined);
  if (entry?.auth === undefined) return undefined;
  const decoded = Buffer.from(entry.auth, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  return { username: decoded.slice(0, colon), password: decoded.slice(colon + 1), serveraddress: registry };
}

/**
 * Pulls `ref` (with registry auth from `dockerConfig`/config.json, when given);
 * resolves with the local image ID afterwards.
 */
export async function pullImage(docker: Docker, ref: string, dockerConfig?: string): Promise<string> {
  const authconfig = dockerConfig === undefined ? undefined : await registryAuth(registryOf(ref), dockerConfig);
  try {
    const stream = await docker.pull(normalizeRef(ref), authconfig ? { authconfig } : {});
    await new Promise<void>((resolve, reject) => {
      docker.modem.followProgress(stream, (error: Error | null, output: { error?: string }[] | undefined) => {
        const failed = output?.find((o) => o.error !== undefined);
        if (error) reject(error);
        else if (failed) reject(new Error(failed.error));
        else resolve();
      });
    });
    return (await docker.getImage(normalizeRef(ref)).inspect()).Id;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ECONNREFUSED' || (error as NodeJS.ErrnoException).code === 'ENOENT') throw unreachable(docker, error);
    throw new RailyardError('IMAGE_PULL_FAILED', `Could not pull ${ref}: ${(error as Error).message.split('\n')[0]}`, { cause: error, data: { image: ref } });
  }
}
