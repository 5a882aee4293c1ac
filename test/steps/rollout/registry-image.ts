// A throwaway repository in the local test registry: push test images' content
// under one tag, move the local tag independently of the registry's, and
// delete every pushed manifest afterwards. The repository name is unique, so
// deleting its manifests never touches railyard-test/web's tags.
import { execa } from 'execa';
import { TEST_REGISTRY } from '../../helpers/docker.ts';
import { uniqueName } from '../../helpers/compose-project.ts';

export interface RegistryImage {
  /** `127.0.0.1:5000/railyard-test/<unique>:live` */
  readonly ref: string;
  /** Tags `source` as `ref` and pushes it; resolves with the manifest digest. */
  push(source: string): Promise<string>;
  /** Points the local tag at `source` without pushing (the registry keeps what it has). */
  tagLocal(source: string): Promise<void>;
  /** The digest the registry serves for the tag now. */
  remoteDigest(): Promise<string | undefined>;
  /**
   * Untags locally and deletes every manifest pushed under the repository (its
   * tags go with them). The registry API cannot delete a repository, so its
   * empty name stays in the catalogue.
   */
  remove(): Promise<void>;
}

const ACCEPT = 'application/vnd.docker.distribution.manifest.v2+json, application/vnd.oci.image.manifest.v1+json';

export function registryImage(prefix: string): RegistryImage {
  const repository = `railyard-test/${uniqueName(prefix)}`;
  const ref = `${TEST_REGISTRY}/${repository}:live`;
  const pushed = new Set<string>();
  const manifests = `http://${TEST_REGISTRY}/v2/${repository}/manifests`;
  return {
    ref,
    async push(source) {
      await execa('docker', ['tag', source, ref]);
      const { stdout } = await execa('docker', ['push', ref]);
      const digest = /digest: (sha256:[0-9a-f]{64})/.exec(stdout)?.[1];
      if (digest === undefined) throw new Error(`docker push ${ref} printed no digest: ${stdout}`);
      pushed.add(digest);
      return digest;
    },
    async tagLocal(source) {
      await execa('docker', ['tag', source, ref]);
    },
    async remoteDigest() {
      const res = await fetch(`${manifests}/live`, { method: 'HEAD', headers: { accept: ACCEPT } });
      return res.ok ? (res.headers.get('docker-content-digest') ?? undefined) : undefined;
    },
    async remove() {
      await execa('docker', ['rmi', ref], { reject: false });
      for (const digest of pushed) {
        // The local `<repository>@<digest>` references that push and pull left behind.
        await execa('docker', ['rmi', `${TEST_REGISTRY}/${repository}@${digest}`], { reject: false });
        await fetch(`${manifests}/${digest}`, { method: 'DELETE' }).catch(() => undefined);
      }
    },
  };
}
