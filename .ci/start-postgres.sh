#!/usr/bin/env bash
# Starts a throwaway PostgreSQL server for the tests (CI and local). Installs it from Debian's
# packages if the machine lacks it. Prints the connection URL on stdout.
# Usage: .ci/start-postgres.sh [dir] [port]
set -euo pipefail
dir=${1:-/tmp/faxbot-pg}
port=${2:-54329}
find_bin() {
  command -v "$1" 2>/dev/null || ls /usr/lib/postgresql/*/bin/"$1" 2>/dev/null | sort -V | tail -n 1
}
if [ -z "$(find_bin initdb)" ]; then
  echo "installing PostgreSQL from Debian packages" >&2
  if [ "$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq postgresql >&2
fi
initdb=$(find_bin initdb)
postgres=$(find_bin postgres)
run_as=()
if [ "$(id -u)" = 0 ]; then run_as=(runuser -u postgres --); fi
rm -rf "$dir"
mkdir -p "$dir"
[ "$(id -u)" = 0 ] && chown postgres "$dir"
echo faxbot >"$dir/pwfile"
[ "$(id -u)" = 0 ] && chown postgres "$dir/pwfile"
"${run_as[@]}" "$initdb" -D "$dir/data" -U faxbot --auth=scram-sha-256 --pwfile="$dir/pwfile" >"$dir/initdb.log" 2>&1
"${run_as[@]}" "$postgres" -D "$dir/data" -p "$port" -k "$dir" -c listen_addresses=127.0.0.1 -c max_connections=200 \
  >"$dir/postgres.log" 2>&1 &
for _ in $(seq 1 100); do
  if (exec 3<>/dev/tcp/127.0.0.1/"$port") 2>/dev/null; then
    echo "postgres://faxbot:faxbot@127.0.0.1:$port/postgres"
    exit 0
  fi
  sleep 0.1
done
echo "PostgreSQL did not start; log:" >&2
cat "$dir/postgres.log" >&2
exit 1
