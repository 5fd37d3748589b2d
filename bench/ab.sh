#!/usr/bin/env bash
# A/B comparison of two server binaries on one seeded database, runs alternating, so that a
# change is measured against its parent on the same machine on the same day.
#
#   bash bench/ab.sh BIN_A BIN_B sqlite|postgres [CASES] [ROUNDS] [WORKLOADS]
#
# WORKLOADS is a comma list of post,queue,case (default all). Seeds CASES cases (default
# 100,000) once with BIN_B (the newer schema; the older binary runs on it), then for each
# round starts A, runs the workloads, stops it, then the same for B. Prints each run's wrk
# summary and the server's peak RSS; the full output goes to
# bench/results/<date>-ab-<backend>-<cases>[-$BENCH_LABEL].txt.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
A="$(realpath "$1")"; B="$(realpath "$2")"; BACKEND="${3:-sqlite}"; CASES="${4:-100000}"; ROUNDS="${5:-2}"
WORKLOADS="${6:-post,queue,case}"
DURATION="${BENCH_DURATION:-20s}"
CONC="${BENCH_CONCURRENCY:-16}"
command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }

WORK="$(mktemp -d)"
SERVER_PID=""
stop() { [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null && wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""; }
trap 'stop; rm -rf "$WORK"' EXIT
case "$BACKEND" in
  sqlite) DB="sqlite://$WORK/bench.db" ;;
  postgres)
    ADMIN="${JIUJINAN_BENCH_PG_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
    NAME="bench_ab_$(date +%s)"
    psql -q "$ADMIN" -c "CREATE DATABASE $NAME"
    DB="${ADMIN%/*}/$NAME"
    ;;
  *) echo "usage: bench/ab.sh BIN_A BIN_B sqlite|postgres [CASES] [ROUNDS] [WORKLOADS]" >&2; exit 2 ;;
esac
mkdir -p bench/results
OUT="bench/results/$(date +%Y-%m-%d)-ab-$BACKEND-$CASES${BENCH_LABEL:+-$BENCH_LABEL}.txt"
exec > >(tee "$OUT") 2>&1
echo "# A/B: A=$A ($(sha256sum "$A" | cut -c1-12)), B=$B ($(sha256sum "$B" | cut -c1-12))"
echo "# $BACKEND, $CASES cases, concurrency $CONC, $DURATION per run, $ROUNDS rounds; commit $(git rev-parse --short HEAD)"
echo "# date: $(date -u +%Y-%m-%dT%H:%M:%SZ); machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs)"
"$B" bench seed --cases "$CASES" --open-leads $((CASES / 10)) --database-url "$DB" --sample-out "$WORK/ids.txt" 2>/dev/null | tee "$WORK/seed.txt"
STREET="$(sed -n 's/.*busiest street \([0-9]*\).*/\1/p' "$WORK/seed.txt")"
printf '%s' 'Bench-password-1' | "$B" user add --username bench_hotline --unit 11:mz --role admin --password-stdin --database-url "$DB" >/dev/null
printf '%s' 'Bench-password-1' | "$B" user add --username bench_reviewer --unit "$STREET:mz" --role street_reviewer --password-stdin --database-url "$DB" >/dev/null
HOTLINE="$("$B" token issue --username bench_hotline --database-url "$DB" 2>/dev/null)"
REVIEWER="$("$B" token issue --username bench_reviewer --database-url "$DB" 2>/dev/null)"

one() { # label binary
  local port; port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')"
  RUST_LOG=warn "$2" serve --listen "127.0.0.1:$port" --database-url "$DB" >"$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 100); do curl -fs "http://127.0.0.1:$port/readyz" >/dev/null && break; sleep 0.2; done
  local base="http://127.0.0.1:$port"
  for w in ${WORKLOADS//,/ }; do
    echo "### $1 $w"
    case "$w" in
      post) BENCH_RUN="$1-$RANDOM" BENCH_TOKEN="$HOTLINE" BENCH_LOCATION="$STREET" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/post_lead.lua "$base" ;;
      queue) BENCH_TOKEN="$REVIEWER" BENCH_PATH="/api/v1/cases?status=investigating&limit=50" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/get_queue.lua "$base" ;;
      case) BENCH_TOKEN="$HOTLINE" BENCH_IDS="$WORK/ids.txt" wrk -t2 -c"$CONC" -d"$DURATION" --latency -s bench/get_case.lua "$base" ;;
    esac | grep -E "Requests/sec|  50%|  99%|unexpected|Non-2xx|Socket errors" | sort -u
  done
  echo "$1 peak RSS: $(awk '/VmHWM/{print $2, $3}' "/proc/$SERVER_PID/status")"
  stop
}
for r in $(seq 1 "$ROUNDS"); do one "A$r" "$A"; one "B$r" "$B"; done
"$B" audit verify --database-url "$DB"
