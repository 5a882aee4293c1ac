#!/usr/bin/env bash
# Prepares this host for railyard's Docker tests (see DESIGN.md section 5):
#   - Docker engine (docker.io), busybox-static, docker-registry from apt,
#     and python3-yaml (PyYAML, itsUP's reader: the reference for db.yml);
#   - compose v2 plugin, taken from trixie's docker-compose .deb without
#     touching the system's apt state;
#   - dockerd (vfs, no iptables) and a registry on 127.0.0.1:5000;
#   - busybox test images built FROM scratch and pushed to that registry.
# Idempotent: every step is skipped when its result is already there, so a
# second run takes seconds. Needs root. Daemons started here keep running
# after the script exits (they are detached from its stdio and session).
set -euo pipefail

ROOT_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
IMAGES_DIR="$ROOT_DIR/test/images"
STATE_DIR=/var/lib/railyard-test-host
REGISTRY_DIR=/var/lib/railyard-test-registry
REGISTRY_ADDR=127.0.0.1:5000
REGISTRY_URL="http://$REGISTRY_ADDR"
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
LOG_DIR=/var/log
DOCKERD_LOG="$LOG_DIR/railyard-dockerd.log"
REGISTRY_LOG="$LOG_DIR/railyard-registry.log"
HASH_LABEL=org.railyard.test.context-hash
export DEBIAN_FRONTEND=noninteractive

START_TS=$(date +%s)
step() { printf '\n==> [test-host +%ss] %s\n' "$(($(date +%s) - START_TS))" "$*"; }
info() { printf '    %s\n' "$*"; }
die() {
  printf '\nFAIL [test-host]: %s\n' "$*" >&2
  exit 1
}
trap 'rc=$?; if [ $rc -ne 0 ]; then printf "\nFAIL [test-host]: exited with %s at line %s (%s)\n" "$rc" "$LINENO" "$BASH_COMMAND" >&2; fi' ERR

[ "$(id -u)" -eq 0 ] || die "must run as root (try: sudo bash scripts/test-host.sh)"

# wait_for SECONDS DESCRIPTION COMMAND...: retries COMMAND every 0.5 s.
wait_for() {
  local secs=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + secs))
  until "$@" >/dev/null 2>&1; do
    if [ "$(date +%s)" -ge "$deadline" ]; then return 1; fi
    sleep 0.5
  done
  info "$what: ready"
}

# ---------------------------------------------------------------- packages --
docker_answers() { timeout 10 docker info >/dev/null 2>&1; }
# running NAME: true when a live (non-zombie) process has exactly that name.
running() { ps -eo stat=,comm= | awk -v n="$1" '$2 == n && $1 !~ /^Z/ { found = 1 } END { exit !found }'; }

step "apt packages"
# The images are FROM scratch, so they need a statically linked busybox.
static_busybox() {
  local b
  for b in /bin/busybox /usr/bin/busybox $(type -a -p busybox 2>/dev/null); do
    if [ -x "$b" ] && file -L "$b" 2>/dev/null | grep -q 'statically linked'; then
      echo "$b"
      return 0
    fi
  done
  return 1
}
need_pkgs=()
static_busybox >/dev/null || need_pkgs+=(busybox-static)
command -v docker-registry >/dev/null 2>&1 || need_pkgs+=(docker-registry)
command -v curl >/dev/null 2>&1 || need_pkgs+=(curl)
{ python3 -c 'import yaml' || /usr/bin/python3 -c 'import yaml'; } >/dev/null 2>&1 || need_pkgs+=(python3-yaml)
# An engine that already answers (e.g. GitHub's runners ship docker-ce) or an
# installed dockerd is kept: docker.io would conflict with those packages.
if ! docker_answers && ! command -v dockerd >/dev/null 2>&1; then
  need_pkgs+=(docker.io)
fi
if [ ${#need_pkgs[@]} -eq 0 ]; then
  info "docker engine, busybox-static, docker-registry, PyYAML: already installed"
else
  info "installing: ${need_pkgs[*]}"
  have_candidates=1
  for p in "${need_pkgs[@]}"; do
    cand=$(apt-cache policy "$p" 2>/dev/null | awk '/Candidate:/ {print $2}')
    if [ -z "$cand" ] || [ "$cand" = "(none)" ]; then have_candidates=0; fi
  done
  if [ $have_candidates -eq 0 ]; then
    info "apt-get update (package lists lack a candidate)"
    apt-get update -q
    apt-get install -y -q "${need_pkgs[@]}"
  elif ! apt-get install -y -q "${need_pkgs[@]}"; then
    info "install failed with the current lists; apt-get update and retry"
    apt-get update -q
    apt-get install -y -q "${need_pkgs[@]}"
  fi
fi
command -v docker >/dev/null 2>&1 || die "no docker CLI on PATH after installing docker.io"
BUSYBOX=$(static_busybox) || die "no statically linked busybox found (busybox-static missing?)"
info "docker CLI: $(command -v docker) ($(docker --version))"

# ------------------------------------------------- chromium (issue 14) --
# The dashboard's browser tests drive Debian's chromium with playwright-core
# (test/helpers/browser.ts launches /usr/bin/chromium headless).
step "chromium (dashboard browser tests)"
if [ -x /usr/bin/chromium ]; then
  info "chromium: already installed"
else
  info "installing chromium"
  apt-get install -y -q chromium || { apt-get update -q && apt-get install -y -q chromium; }
fi
[ -x /usr/bin/chromium ] || die "no /usr/bin/chromium after installing chromium"

# -------------------------------------------------------------- compose v2 --
# Every docker CLI on PATH must find the plugin: /usr/local/bin/docker (28.x)
# and docker.io's /usr/bin/docker both search /usr/local/lib/docker/cli-plugins.
compose_v2_ok() {
  local d
  for d in $(type -a -p docker | awk '!seen[$0]++'); do
    "$d" compose version 2>/dev/null | grep -Eq 'version v?2\.' || return 1
  done
}

step "compose v2 plugin"
if compose_v2_ok; then
  info "already there: $(docker compose version)"
else
  [ -f /etc/apt/sources.list.d/debian.sources ] ||
    die "docker compose v2 missing and /etc/apt/sources.list.d/debian.sources not found (not Debian?): install the compose plugin by hand"
  apt_dir="$STATE_DIR/apt-trixie"
  mkdir -p "$apt_dir/sources.list.d" "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial"
  # Keep the main archive stanza(s) only (the security suite is not called
  # "trixie"), switched to trixie.
  awk 'BEGIN { RS = ""; ORS = "\n\n" } !/debian-security/ { gsub(/Suites:[^\n]*/, "Suites: trixie"); print }' \
    /etc/apt/sources.list.d/debian.sources >"$apt_dir/sources.list.d/trixie.sources"
  grep -q 'Suites: trixie' "$apt_dir/sources.list.d/trixie.sources" || die "could not derive a trixie sources file"
  # Private lists and cache: the system's apt state is not touched.
  apt_opts=(-o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$apt_dir/sources.list.d"
    -o "Dir::State::Lists=$apt_dir/lists" -o "Dir::Cache=$apt_dir/cache")
  info "apt-get update (private trixie lists in $apt_dir)"
  apt-get "${apt_opts[@]}" update -q
  dl_dir=$(mktemp -d)
  chmod 755 "$dl_dir"
  chown _apt "$dl_dir" 2>/dev/null || true
  (cd "$dl_dir" && apt-get "${apt_opts[@]}" download docker-compose)
  deb=$(ls "$dl_dir"/docker-compose_*.deb 2>/dev/null | head -n1)
  [ -n "$deb" ] || die "apt-get download docker-compose produced no .deb"
  info "unpacking $(basename "$deb")"
  dpkg -x "$deb" "$dl_dir/x"
  [ -x "$dl_dir/x/usr/libexec/docker/cli-plugins/docker-compose" ] || die "the .deb has no usr/libexec/docker/cli-plugins/docker-compose"
  mkdir -p "$PLUGIN_DIR"
  install -m 0755 "$dl_dir/x/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
  rm -rf "$dl_dir"
  compose_v2_ok || die "docker compose version does not report v2 after installing $PLUGIN_DIR/docker-compose"
  info "installed: $(docker compose version)"
fi

# ----------------------------------------------------------------- dockerd --
step "docker engine"
if docker_answers; then
  info "a daemon already answers"
else
  default_host=1
  case "${DOCKER_HOST:-}" in "" | unix:///var/run/docker.sock | unix:///run/docker.sock) ;; *) default_host=0 ;; esac
  [ $default_host -eq 1 ] || die "DOCKER_HOST=$DOCKER_HOST does not answer; unset it to let this script start dockerd on /var/run/docker.sock"
  command -v dockerd >/dev/null 2>&1 || die "no dockerd binary (is docker.io installed?)"
  if running dockerd; then
    info "dockerd is running but does not answer yet; waiting"
  else
    info "no dockerd running: clearing stale pid file and sockets"
    rm -f /var/run/docker.pid /var/run/docker.sock
    if ! running containerd; then
      rm -f /var/run/docker/containerd/containerd.sock /var/run/docker/containerd/containerd.sock.ttrpc \
        /var/run/docker/containerd/containerd-debug.sock /var/run/docker/containerd/containerd.pid \
        /run/containerd/containerd.sock /run/containerd/containerd.sock.ttrpc
    fi
    info "starting dockerd --iptables=false --storage-driver=vfs (log: $DOCKERD_LOG)"
    # setsid + nohup + no inherited fds: the daemon outlives this script and
    # does not hold a CI step's output pipe open.
    # From /: a daemon keeps its working directory, and its children (conmon, shims) need it to exist after this checkout is gone.
    (cd / && exec setsid nohup dockerd --iptables=false --storage-driver=vfs >>"$DOCKERD_LOG" 2>&1 </dev/null) &
    disown || true
  fi
  if ! wait_for 60 "/var/run/docker.sock" test -S /var/run/docker.sock || ! wait_for 60 "docker info" docker_answers; then
    echo "---- last lines of $DOCKERD_LOG ----" >&2
    tail -n 30 "$DOCKERD_LOG" >&2 || true
    die "dockerd did not answer within 60 s"
  fi
fi
info "server: $(docker version --format '{{.Server.Version}} (API {{.Server.APIVersion}})'), storage: $(docker info --format '{{.Driver}}')"

# ---------------------------------------------------------------- registry --
step "registry on $REGISTRY_ADDR"
registry_answers() { curl -fs -m 3 -o /dev/null "$REGISTRY_URL/v2/"; }
# Installing docker-registry on a systemd host (e.g. GitHub's Ubuntu runners)
# starts the packaged service: :5000 with an htpasswd auth section. That is
# never the registry the tests want, so stop it and run our own.
if command -v systemctl >/dev/null 2>&1 && systemctl is-active --quiet docker-registry 2>/dev/null; then
  info "stopping the packaged docker-registry service (default config has auth on :5000)"
  systemctl stop docker-registry || true
  systemctl disable docker-registry >/dev/null 2>&1 || true
  sleep 1
fi
if registry_answers; then
  info "already answering at $REGISTRY_URL/v2/"
else
  code=$(curl -s -m 3 -o /dev/null -w '%{http_code}' "$REGISTRY_URL/v2/" || true)
  case "$code" in 000 | "") ;; *) die "something answers on $REGISTRY_ADDR with HTTP $code (auth? not a registry?); stop it or free the port" ;; esac
  mkdir -p "$REGISTRY_DIR" "$STATE_DIR"
  cat >"$STATE_DIR/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $REGISTRY_DIR
  delete:
    enabled: true
http:
  addr: $REGISTRY_ADDR
EOF
  info "starting docker-registry serve $STATE_DIR/registry.yml (log: $REGISTRY_LOG)"
  (cd / && exec setsid nohup docker-registry serve "$STATE_DIR/registry.yml" >>"$REGISTRY_LOG" 2>&1 </dev/null) &
  disown || true
  if ! wait_for 30 "$REGISTRY_URL/v2/" registry_answers; then
    tail -n 30 "$REGISTRY_LOG" >&2 || true
    die "registry did not answer on $REGISTRY_URL/v2/ within 30 s"
  fi
fi

# ------------------------------------------------------------------ images --
step "test images"
# build_image TAG CONTEXT DOCKERFILE [BUILD_ARG...]: builds when the context
# hash (files + busybox + args) differs from the image's label; pushes when
# the registry's digest differs from the local one.
build_image() {
  local tag=$1 ctx=$2 dockerfile=$3
  shift 3
  local args=("$@") build_args=() a
  for a in "${args[@]}"; do build_args+=(--build-arg "$a"); done
  local hash
  hash=$( (
    cd "$ctx"
    find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum
    sha256sum "$BUSYBOX" | cut -d' ' -f1
    echo "dockerfile=$dockerfile args=${args[*]}"
  ) | sha256sum | cut -c1-32)
  local have
  have=$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$tag" 2>/dev/null || true)
  if [ -z "$have" ] && docker pull -q "$tag" >/dev/null 2>&1; then
    # Not built here, but the registry may hold the same build: reuse it.
    have=$(docker image inspect -f "{{ index .Config.Labels \"$HASH_LABEL\" }}" "$tag" 2>/dev/null || true)
  fi
  if [ "$have" = "$hash" ]; then
    info "$tag: up to date ($hash)"
  else
    info "$tag: building (context hash $hash)"
    local tmp
    tmp=$(mktemp -d)
    cp -a "$ctx"/. "$tmp"/
    cp "$BUSYBOX" "$tmp/busybox"
    if ! DOCKER_BUILDKIT=0 docker build -q --force-rm --label "$HASH_LABEL=$hash" -f "$tmp/$dockerfile" -t "$tag" \
      ${build_args[@]+"${build_args[@]}"} "$tmp" >"$tmp.log" 2>&1; then
      cat "$tmp.log" >&2
      rm -rf "$tmp" "$tmp.log"
      die "docker build of $tag failed"
    fi
    rm -rf "$tmp" "$tmp.log"
  fi
  # Push unless the registry already has exactly this image.
  local repo=${tag#"$REGISTRY_ADDR"/} name ref remote local_digests
  name=${repo%:*}
  ref=${repo##*:}
  remote=$(curl -fsS -m 5 -I \
    -H 'Accept: application/vnd.docker.distribution.manifest.v2+json' \
    -H 'Accept: application/vnd.oci.image.manifest.v1+json' \
    "$REGISTRY_URL/v2/$name/manifests/$ref" 2>/dev/null | tr -d '\r' | awk -F': ' 'tolower($1)=="docker-content-digest" {print $2}' || true)
  local_digests=$(docker image inspect -f '{{ range .RepoDigests }}{{ . }} {{ end }}' "$tag")
  if [ -n "$remote" ] && [[ " $local_digests" == *" $REGISTRY_ADDR/$name@$remote "* ]]; then
    info "$tag: registry has it ($remote)"
  else
    docker push -q "$tag" >/dev/null || die "docker push $tag failed"
    info "$tag: pushed"
  fi
}
build_image "$REGISTRY_ADDR/railyard-test/web:1" "$IMAGES_DIR/web" Dockerfile VERSION=1
build_image "$REGISTRY_ADDR/railyard-test/web:2" "$IMAGES_DIR/web" Dockerfile VERSION=2
build_image "$REGISTRY_ADDR/railyard-test/web:unhealthy" "$IMAGES_DIR/web" Dockerfile.unhealthy
build_image "$REGISTRY_ADDR/railyard-test/sleeper:1" "$IMAGES_DIR/sleeper" Dockerfile

# ------------------------------------------------------------------ podman --
# Podman (issue 16): Debian's podman 4.3 serving the Docker-compatible API on
# /run/podman/podman.sock, for the runtime cases that run against it. This
# sandbox forbids raising rlimits: Podman's defaults (nofile/nproc at their
# maximum) make every container fail with "setrlimit ... operation not
# permitted", and crun also fails on the hybrid cgroup layout. runc with
# default ulimits at or below this host's hard limits works.
step "podman"
PODMAN_SOCK=/run/podman/podman.sock
PODMAN_LOG="$LOG_DIR/railyard-podman.log"
need_pm=()
command -v podman >/dev/null 2>&1 || need_pm+=(podman)
command -v runc >/dev/null 2>&1 || need_pm+=(runc)
command -v tini-static >/dev/null 2>&1 || need_pm+=(tini)
command -v systemd-analyze >/dev/null 2>&1 || need_pm+=(systemd)
if [ ${#need_pm[@]} -gt 0 ]; then
  info "installing: ${need_pm[*]}"
  apt-get install -y -q "${need_pm[@]}" || { apt-get update -q && apt-get install -y -q "${need_pm[@]}"; }
fi
mkdir -p /etc/containers/registries.conf.d /etc/containers/containers.conf.d
printf '[[registry]]\nlocation = "%s"\ninsecure = true\n' "$REGISTRY_ADDR" >/etc/containers/registries.conf.d/railyard-test.conf
nofile=$(ulimit -Hn)
nproc=$(ulimit -Hu)
if [ "$nproc" = unlimited ] || [ "$nproc" -gt 4096 ]; then nproc=4096; fi
printf '[containers]\ndefault_ulimits = ["nofile=%s:%s", "nproc=%s:%s"]\n[engine]\nruntime = "runc"\n' \
  "$nofile" "$nofile" "$nproc" "$nproc" >/etc/containers/containers.conf.d/railyard-test.conf
podman_answers() { curl -fs -m 3 --unix-socket "$PODMAN_SOCK" -o /dev/null http://podman/_ping; }
if podman_answers; then
  info "podman service already answers on $PODMAN_SOCK"
else
  mkdir -p "$(dirname "$PODMAN_SOCK")"
  rm -f "$PODMAN_SOCK"
  info "starting podman system service (log: $PODMAN_LOG)"
  # From /: conmon starts in the service's working directory ("Failed to get working directory",
  # then "write child: broken pipe" on every start, once the checkout it was started from is removed).
  (cd / && exec setsid nohup podman system service --time=0 "unix://$PODMAN_SOCK" >>"$PODMAN_LOG" 2>&1 </dev/null) &
  disown || true
  wait_for 30 "$PODMAN_SOCK" podman_answers || { tail -n 30 "$PODMAN_LOG" >&2; die "podman system service did not answer within 30 s"; }
fi
info "podman $(podman version --format '{{.Server.Version}}' 2>/dev/null), runtime runc, ulimits nofile=$nofile nproc=$nproc"
# --- graceful test image (issue 17, wt-zero) ---------------------------------
# A static C server that finishes in-flight requests on SIGTERM, for the
# zero-failed-requests rollout test. gcc -static needs gcc and libc6-dev
# (libc.a); the binary is compiled into a temp copy of the context, so the
# repository holds only the source.
if ! command -v gcc >/dev/null 2>&1 || ! compgen -G "/usr/lib/*/libc.a" >/dev/null; then
  info "installing gcc libc6-dev (graceful test image)"
  apt-get install -y -q gcc libc6-dev || { apt-get update -q && apt-get install -y -q gcc libc6-dev; }
fi
graceful_ctx=$(mktemp -d)
cp -a "$IMAGES_DIR/graceful"/. "$graceful_ctx"/
gcc -static -O2 -o "$graceful_ctx/graceful" "$graceful_ctx/graceful.c" || die "gcc -static of test/images/graceful/graceful.c failed"
build_image "$REGISTRY_ADDR/railyard-test/graceful:1" "$graceful_ctx" Dockerfile
rm -rf "$graceful_ctx"
# --- end graceful test image ----------------------------------------------------
# ------------------------------------------------ block API (issue 15) --
# nftables and iproute2: the block API's namespace tests (client -> router ->
# server, railyard's nft table in the router namespace; the host's ruleset is
# never touched); curl: what the fail2ban action calls; fail2ban: its own
# action code (python3) runs the shipped action in the test. No service is
# started: the test only imports fail2ban's modules.
step "block API: nftables, iproute2, curl, fail2ban"
block_pkgs=()
for pkg in nftables iproute2 curl fail2ban; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q 'install ok installed' || block_pkgs+=("$pkg")
done
if [ ${#block_pkgs[@]} -gt 0 ]; then
  apt-get install -y -q --no-install-recommends "${block_pkgs[@]}" || { apt-get update -q && apt-get install -y -q --no-install-recommends "${block_pkgs[@]}"; }
fi
ip netns add "railyard-host-check-$$" && ip netns exec "railyard-host-check-$$" nft list ruleset >/dev/null \
  || die "network namespaces or nft do not work here (the block API tests need both)"
ip netns del "railyard-host-check-$$"
info "nft $(nft --version | awk '{print $2}'), ip netns: ready"

# ------------------------------------------------------------- openvpn lab --
# test/workflows/deploy-vpn.test.ts: a real OpenVPN server and client (Debian's
# openvpn and easy-rsa) in network namespaces, NAT with nftables; the workflow's
# steps use curl and jq. openvpn needs
# /dev/net/tun; containers often lack the node, so make it when missing.
step "openvpn, easy-rsa, nftables (deploy workflow over OpenVPN)"
vpn_pkgs=()
command -v openvpn >/dev/null 2>&1 || [ -x /usr/sbin/openvpn ] || vpn_pkgs+=(openvpn)
[ -x /usr/share/easy-rsa/easyrsa ] || vpn_pkgs+=(easy-rsa)
[ -x /usr/sbin/nft ] || vpn_pkgs+=(nftables)
command -v jq >/dev/null 2>&1 || vpn_pkgs+=(jq)
command -v ip >/dev/null 2>&1 || vpn_pkgs+=(iproute2)
command -v sysctl >/dev/null 2>&1 || [ -x /usr/sbin/sysctl ] || vpn_pkgs+=(procps)
if [ ${#vpn_pkgs[@]} -eq 0 ]; then
  info "already installed"
else
  info "installing: ${vpn_pkgs[*]}"
  apt-get install -y -q "${vpn_pkgs[@]}" || { apt-get update -q && apt-get install -y -q "${vpn_pkgs[@]}"; }
fi
if [ ! -c /dev/net/tun ]; then
  mkdir -p /dev/net && mknod /dev/net/tun c 10 200 && chmod 0666 /dev/net/tun || die "cannot create /dev/net/tun (openvpn needs it)"
  info "created /dev/net/tun"
fi

# ------------------------------------------------- swarm nodes (issue 13) --
# The swarm tests (test/runtime/swarm-*.test.ts) start their own dockerd per
# node, each in a network namespace with its own data-root, exec-root, socket
# and bridge, linked by veth pairs (test/helpers/swarm-engine.ts); the shared
# dockerd is never put in swarm mode. They need ip (iproute2), nsenter
# (util-linux), iptables inside the namespaces, runc, and VXLAN for the overlay.
step "swarm nodes: tools"
swarm_pkgs=()
command -v ip >/dev/null 2>&1 || swarm_pkgs+=(iproute2)
command -v nsenter >/dev/null 2>&1 || swarm_pkgs+=(util-linux)
command -v iptables >/dev/null 2>&1 || swarm_pkgs+=(iptables)
command -v runc >/dev/null 2>&1 || swarm_pkgs+=(runc)
if [ ${#swarm_pkgs[@]} -gt 0 ]; then
  info "installing: ${swarm_pkgs[*]}"
  apt-get install -y -qq --no-install-recommends "${swarm_pkgs[@]}" >/dev/null || { apt-get update -q && apt-get install -y -qq --no-install-recommends "${swarm_pkgs[@]}" >/dev/null; }
fi
swarm_probe="rysw-probe-$$"
ip netns add "$swarm_probe"
if ! ip -n "$swarm_probe" link add vx0 type vxlan id 42 dstport 4789 2>/dev/null; then
  ip netns delete "$swarm_probe"
  die "the kernel has no VXLAN: swarm overlay networks (and the swarm tests) cannot work here"
fi
ip netns delete "$swarm_probe"
info "ip, nsenter, iptables, runc, vxlan: ready"

# ------------------------------------------------------------------- check --
step "check: web image turns healthy"
check_name="railyard-host-check-$$"
cleanup_check() { docker rm -f "$check_name" >/dev/null 2>&1 || true; }
trap cleanup_check EXIT
docker run -d --name "$check_name" "$REGISTRY_ADDR/railyard-test/web:1" >/dev/null
health_is_healthy() { [ "$(docker inspect -f '{{.State.Health.Status}}' "$check_name")" = healthy ]; }
t0=$(date +%s)
if ! wait_for 30 "container health" health_is_healthy; then
  docker inspect -f 'state={{.State.Status}} health={{.State.Health.Status}} log={{json .State.Health.Log}}' "$check_name" >&2 || true
  docker logs "$check_name" >&2 || true
  die "web test container did not turn healthy within 30 s"
fi
t_healthy=$(($(date +%s) - t0))
cleanup_check
trap - EXIT

printf '\nOK [test-host]: docker %s, %s, registry %s, images railyard-test/{web:1,web:2,web:unhealthy,sleeper:1}; web healthy after ~%ss; total %ss\n' \
  "$(docker version --format '{{.Server.Version}}')" "$(docker compose version --short 2>/dev/null || docker compose version)" \
  "$REGISTRY_URL" "$t_healthy" "$(($(date +%s) - START_TS))"
