#!/usr/bin/env bash
# Builds the agent image from Dockerfile.agent with podman and runs it, on a machine that reaches Debian's
# mirrors and the npm registry but no container registry:
#   1. a stand-in for node:22-bookworm-slim: Debian bookworm from debootstrap (minbase), the Node binary of the
#      npm `node` devDependency at /usr/local/bin/node, npm from the registry; `podman import`ed as a local image;
#   2. `podman build --build-arg NODE_IMAGE=<that image>` of the unchanged Dockerfile.agent;
#   3. the image's contents: user faxbot (10001), gs/tiffinfo/tiff2pdf, node_modules = agent/package-lock.json
#      (ws and zod), nothing else in /opt/faxbot, exit 1 naming the variables when there is no configuration;
#   4. the image running against the fake edge and the AMI simulator (.ci/agent-image-smoke.ts): connect,
#      HEALTHCHECK, one outbound and one inbound fax, graceful stop.
# Everything (podman's storage included: --root/--runroot) lives in one temp directory, removed at the end.
# Needs root (or sudo) for apt-get, debootstrap and rootful podman; run after `npm install` (node_modules/node).
# runc rather than crun: crun refuses hybrid cgroup v1/v2 hosts. The ulimits are capped because podman's
# defaults (nofile 1048576) exceed what some sandboxed machines allow.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" != 0 ]; then exec sudo --preserve-env "$0" "$@"; fi
started=$SECONDS
phase() { echo "== agent image: $1 ($((SECONDS - started)) s)"; }

phase "system packages (podman, runc, debootstrap)"
missing=()
for pkg in podman runc debootstrap; do command -v "$pkg" >/dev/null || missing+=("$pkg"); done
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

node_bin=node_modules/node/bin/node
if [ ! -x "$node_bin" ]; then
  echo "$node_bin is missing: run npm install first (the npm package \`node\` provides the image's Node)" >&2
  exit 1
fi
node_version=$("$node_bin" --version)

work=$(mktemp -d /tmp/faxbot-agent-image.XXXXXX)
podman=(podman --root "$work/storage" --runroot "$work/runroot" --runtime runc)
base=localhost/faxbot-node-base:ci
image=localhost/faxbot-agent:ci
cleanup() {
  "${podman[@]}" rm -af -t 0 >/dev/null 2>&1 || true
  "${podman[@]}" rmi -af >/dev/null 2>&1 || true
  findmnt -rn -o TARGET | grep "^$work/" | sort -r | xargs -r umount -l 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

cap() { local hard=$1; if [ "$hard" = unlimited ] || [ "$hard" -gt 16384 ]; then echo 16384; else echo "$hard"; fi; }
nofile=$(cap "$(ulimit -Hn)")
nproc=$(cap "$(ulimit -Hu)")
ulimits=(--ulimit "nofile=$nofile:$nofile" --ulimit "nproc=$nproc:$nproc")


phase "base image: debootstrap bookworm (minbase) + Node $node_version"
rootfs=$work/rootfs
debootstrap --variant=minbase bookworm "$rootfs" "${DEBIAN_MIRROR:-http://deb.debian.org/debian}" >"$work/debootstrap.log" 2>&1 \
  || { tail -n 30 "$work/debootstrap.log" >&2; exit 1; }
install -m 0755 "$node_bin" "$rootfs/usr/local/bin/node"
# npm as the official images carry it (their Node 22 bundles npm 10): the registry's tarball bundles its dependencies.
mkdir -p "$rootfs/usr/local/lib/node_modules/npm"
npm_tgz=$(cd "$work" && npm pack --silent "npm@${AGENT_IMAGE_NPM:-10}")
tar -xzf "$work/$npm_tgz" -C "$rootfs/usr/local/lib/node_modules/npm" --strip-components=1
ln -s ../lib/node_modules/npm/bin/npm-cli.js "$rootfs/usr/local/bin/npm"
ln -s ../lib/node_modules/npm/bin/npx-cli.js "$rootfs/usr/local/bin/npx"
rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
tar -C "$rootfs" -c . | "${podman[@]}" import -q \
  --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' --change 'CMD ["node"]' - "$base" >/dev/null
rm -rf "$rootfs"

phase "podman build -f Dockerfile.agent --build-arg NODE_IMAGE=$base"
build_mounts=()
# When this machine's npm trusts its own CA bundle (a TLS-inspecting proxy), give the build's `npm ci` the same,
# through a build-time mount (/usr/local/etc holds npm's global npmrc; mounts are not committed to the image).
cafile=$(npm config get cafile 2>/dev/null || true)
[ -f "$cafile" ] || cafile=${NODE_EXTRA_CA_CERTS:-}
if [ -n "$cafile" ] && [ -f "$cafile" ]; then
  mkdir -p "$work/npm-etc"
  cp "$cafile" "$work/npm-etc/ca.crt"
  printf 'cafile=/usr/local/etc/ca.crt\nregistry=%s\n' "$(npm config get registry)" >"$work/npm-etc/npmrc"
  build_mounts=(-v "$work/npm-etc:/usr/local/etc:ro")
fi
"${podman[@]}" build -q --format docker --network host "${ulimits[@]}" "${build_mounts[@]}" \
  --build-arg NODE_IMAGE="$base" -f Dockerfile.agent -t "$image" . >"$work/build.log" 2>&1 \
  || { tail -n 40 "$work/build.log" >&2; exit 1; }

phase "image contents"
# --no-healthcheck: podman's timer for it needs systemd (it logs an error without); the smoke test runs it by hand.
run=("${podman[@]}" run --rm "${ulimits[@]}" --no-healthcheck "$image")
fail() { echo "agent image: $1" >&2; exit 1; }
[ "$("${podman[@]}" image inspect --format '{{.Config.User}}' "$image")" = faxbot ] || fail "USER is not faxbot"
[ "$("${run[@]}" id -u)" = 10001 ] || fail "the default user is not uid 10001"
"${run[@]}" sh -c 'for t in node gs tiffinfo tiff2pdf; do command -v "$t" >/dev/null || { echo "missing: $t"; exit 1; }; done' \
  || fail "a tool is missing"
image_node=$("${run[@]}" node --version)
[ "$image_node" = "$node_version" ] || fail "node in the image is $image_node, expected $node_version"
expected=$("$node_bin" -e '
  const lock = JSON.parse(require("node:fs").readFileSync("agent/package-lock.json", "utf8"));
  console.log(Object.keys(lock.packages).filter((k) => k !== "").map((k) => k.slice("node_modules/".length)).sort().join(" "));')
actual=$("${run[@]}" node -e '
  const fs = require("node:fs"), path = require("node:path"), found = [];
  const walk = (dir, prefix) => { for (const e of fs.readdirSync(dir)) {
    if (e.startsWith(".")) continue;
    if (e.startsWith("@")) { walk(path.join(dir, e), e + "/"); continue; }
    found.push(prefix + e);
    const nested = path.join(dir, e, "node_modules"); if (fs.existsSync(nested)) walk(nested, prefix + e + "/node_modules/");
  } };
  walk("/opt/faxbot/node_modules", ""); console.log(found.sort().join(" "));')
[ "$actual" = "$expected" ] || fail "node_modules holds [$actual], agent/package-lock.json lists [$expected]"
top=$("${run[@]}" sh -c 'ls -A /opt/faxbot | tr "\n" " "')
[ "$top" = "agent node_modules package-lock.json package.json shared " ] || fail "/opt/faxbot holds: $top"
"${run[@]}" sh -c 'test -z "$(ls -A /usr/local/etc)"' || fail "the build-time npm configuration was left in the image"
set +e
out=$("${run[@]}" 2>&1)
code=$?
set -e
[ "$code" = 1 ] && grep -q '^faxbot agent: invalid configuration' <<<"$out" && grep -q 'EDGE_URL: is required' <<<"$out" \
  || fail "without configuration: exit $code, output: $out"
echo "   - user faxbot (10001); node $image_node, gs, tiffinfo, tiff2pdf; node_modules: $actual; no configuration: exit 1, variables named"

phase "the image running against the fake edge and the AMI simulator"
AGENT_RUN_OPTS="${ulimits[*]}" "$node_bin" .ci/agent-image-smoke.ts "$image" "${podman[@]}"

phase "done"
