// A stand-in IMAGE for Traefik on a test swarm node (no Traefik image or
// binary can be had here). It is NOT Traefik: a `traefik` shell script in a
// busybox image built FROM railyard's sleeper test image, on the node itself
// (its engine holds the base after `loadImages`; nothing is pulled). Like
// Traefik it reads the entrypoints of the static config railyard renders
// (/etc/traefik/traefik.yml, mounted by the stack), serves each one (busybox
// httpd; /cgi-bin/whoami answers `entry=<name> remote=<client address>`) and
// the ping entrypoint's /ping, and `traefik healthcheck` GETs /ping on the
// ping entrypoint as Traefik's does (exit 0 on 200). Routing, TLS, ACME and
// the swarm provider are not in it.
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import { TEST_IMAGES } from './docker.ts';
import type { SwarmNode } from './swarm-engine.ts';

/** The tag given to db.yml's `versions.traefik`: the node's engine then holds `traefik:<tag>`. */
export const STAND_IN_TAG = 'railyard-stand-in';

const TRAEFIK = `#!/bin/sh
# NOT Traefik: railyard's test stand-in (test/helpers/traefik-swarm-stand-in.ts).
conf=/etc/traefik/traefik.yml
[ -r "$conf" ] || { echo "stand-in: no static config at $conf" >&2; exit 1; }
# "<name> <address>" per entrypoint of the static config.
entrypoints() {
  awk '/^entryPoints:/ { e = 1; next } e && /^[^ ]/ { e = 0 } e && /^  [^ ]/ { n = $1; sub(/:$/, "", n) } e && /^    address:/ { print n, $2 }' "$conf" | tr -d "'\\""
}
ping=$(awk '/^ping:/ { p = 1; next } p && /^  entryPoint:/ { print $2; exit }' "$conf" | tr -d "'\\"")
if [ "$1" = healthcheck ]; then
  address=$(entrypoints | awk -v p="$ping" '$1 == p { print $2 }')
  [ -n "$address" ] || { echo "stand-in: no ping entrypoint in $conf" >&2; exit 1; }
  case $address in :*) address="127.0.0.1$address" ;; esac
  exec wget -q -O- "http://$address/ping"
fi
entrypoints > /tmp/entrypoints
pids=
while read -r name address; do
  if [ "$name" = "$ping" ]; then ENTRY=$name httpd -f -p "$address" -h /ping & else ENTRY=$name httpd -f -p "\${address#:}" -h /www & fi
  pids="$pids $!"
  echo "stand-in: entrypoint $name on $address"
done < /tmp/entrypoints
trap 'kill $pids 2>/dev/null; exit 0' TERM INT
wait
`;

const WHOAMI = `#!/bin/sh
printf 'Content-Type: text/plain\\r\\n\\r\\n'
echo "entry=$ENTRY remote=$REMOTE_ADDR"
`;

const DOCKERFILE = `FROM ${TEST_IMAGES.sleeper}
COPY traefik /bin/traefik
COPY www /www
COPY ping /ping
ENTRYPOINT ["/bin/traefik"]
`;

/** Builds `traefik:<STAND_IN_TAG>` on `node` (its engine must hold TEST_IMAGES.sleeper). */
export async function buildTraefikStandIn(node: SwarmNode): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'railyard-traefik-stand-in-'));
  try {
    await mkdir(join(dir, 'www/cgi-bin'), { recursive: true });
    await mkdir(join(dir, 'ping'));
    await writeFile(join(dir, 'Dockerfile'), DOCKERFILE);
    await writeFile(join(dir, 'traefik'), TRAEFIK);
    await writeFile(join(dir, 'www/cgi-bin/whoami'), WHOAMI);
    await writeFile(join(dir, 'ping/ping'), 'OK');
    await chmod(join(dir, 'traefik'), 0o755);
    await chmod(join(dir, 'www/cgi-bin/whoami'), 0o755);
    const image = `traefik:${STAND_IN_TAG}`;
    await execa('docker', ['-H', node.dockerHost, 'build', '-q', '-t', image, dir], { env: { DOCKER_BUILDKIT: '0' } });
    return image;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
